"""Program search: LLM-driven methods that write code world models (GIF-MCTS, WorldCoder, REx, baselines).

Typical use (the CLI's ``cwmb synthesize`` adds a run directory and the sandbox)::

    from cwmb.methods import Task, load_method_config

    method = load_method_config("gif_mcts").build()
    result = method.run(Task("CartPole-v1", description), llm, evaluator, seed=0)
    result.best_program, result.best_accuracy, result.curve

Methods: ``gif_mcts``, ``worldcoder``, ``rex``, ``best_of_n``, ``zero_shot``
(``docs/methods.md`` describes each and every deviation from the original code).
"""

from cwmb.methods.base import SearchConfig, SearchMethod, SessionMethod
from cwmb.methods.baselines import BestOfN, BestOfNConfig, ZeroShot, ZeroShotConfig
from cwmb.methods.evaluation import Evaluation, Evaluator, InProcessEvaluator, evaluation_from_predictions
from cwmb.methods.extraction import Extraction, continue_program, extract_program
from cwmb.methods.gif_mcts import GIFMCTS, GIFMCTSConfig
from cwmb.methods.records import STOP_REASONS, NodeRecord, SearchResult, StepRecord, program_hash
from cwmb.methods.registry import (
    METHODS,
    MethodSpec,
    get_method_entry,
    load_method_config,
    method_names,
    method_spec_from_dict,
    register_method,
)
from cwmb.methods.rex import RExConfig, ThompsonRefinement
from cwmb.methods.session import SEED_STRIDE, Candidate, SearchObserver, Session, Task
from cwmb.methods.worldcoder import WorldCoder, WorldCoderConfig

__all__ = [
    "GIFMCTS",
    "METHODS",
    "SEED_STRIDE",
    "STOP_REASONS",
    "BestOfN",
    "BestOfNConfig",
    "Candidate",
    "Evaluation",
    "Evaluator",
    "Extraction",
    "GIFMCTSConfig",
    "InProcessEvaluator",
    "MethodSpec",
    "NodeRecord",
    "RExConfig",
    "SearchConfig",
    "SearchMethod",
    "SearchObserver",
    "SearchResult",
    "Session",
    "SessionMethod",
    "StepRecord",
    "Task",
    "ThompsonRefinement",
    "WorldCoder",
    "WorldCoderConfig",
    "ZeroShot",
    "ZeroShotConfig",
    "continue_program",
    "evaluation_from_predictions",
    "extract_program",
    "get_method_entry",
    "load_method_config",
    "method_names",
    "method_spec_from_dict",
    "program_hash",
    "register_method",
]
