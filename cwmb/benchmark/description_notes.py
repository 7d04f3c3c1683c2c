"""Per-environment corrections applied to the cleaned gymnasium docstrings.

Plain data, read by :mod:`cwmb.benchmark.descriptions`. Three kinds of fix are needed:

* gymnasium 1.4.0 documents only the v5 MuJoCo classes, but the benchmark runs v4, so
  each v4 env takes the v5 docstring (``doc_from``), has the parts that differ rewritten,
  and gets a "Differences in this version (v4)" summary (``differences``);
* a few docstrings are wrong about the code in both versions (Pusher's observation size,
  HumanoidStandup's height reward, IDP's velocity penalty) or omit behaviour (clipped
  velocities); these are corrected in place;
* passages about constructor options the benchmark does not use (slippery CliffWalking,
  Blackjack's ``natural``, CartPole's ``sutton_barto_reward``) are dropped.

Every claim here was checked against the installed gymnasium source (``*_v4.py``: the
constructor defaults, ``step``, ``_get_obs``); tests check the observation sizes and a few
reward formulas against the real environments. Each ``Edit.find`` must occur exactly
once in the cleaned text, so a gymnasium upgrade that moves the text fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace ``find`` (or the span from ``find`` up to, not including, ``until``) with ``replace``."""

    find: str
    replace: str = ""
    until: str = ""


@dataclass(frozen=True)
class EnvNotes:
    """How to turn one env's docstring into its description.

    ``doc_from`` is the gymnasium id whose class docstring is used ("" means the env's own
    ``gym_id``); ``edits`` apply in order to the cleaned text; ``differences`` are the
    bullets of the "Differences in this version (v4)" section (none means no section).
    """

    doc_from: str = ""
    edits: tuple[Edit, ...] = ()
    differences: tuple[str, ...] = ()


def _survive_every_step(robot: str, amount: str, next_term: str) -> Edit:
    # v4 pays the survival bonus whenever terminate_when_unhealthy is True (the default),
    # so also on the step that terminates the episode; v5 pays it only while healthy.
    return Edit(
        f"Every timestep that the {robot} is",
        f"Every timestep, including the final step on which the {robot} becomes unhealthy and the "
        f"episode terminates, it gets a fixed reward of ${amount}$.\n",
        until=next_term,
    )


def _survive_difference(robot: str, amount: str) -> str:
    return (
        f"The healthy_reward of {amount} is paid on every step, including the step on which the {robot} "
        "becomes unhealthy and the episode terminates (v5 pays it only while healthy)."
    )


def _clip_qvel(count: int) -> Edit:
    # Hopper, Walker2d and IDP clip the velocities they put in the observation (both versions).
    bullet = f"- *qvel ({count} elements):* The velocities of these individual body parts (their derivatives)"
    return Edit(bullet + ".", bullet + ", each clipped to $[-10, 10]$.")


# v4 Humanoid and HumanoidStandup keep the worldbody rows and the root's actuator forces
# (all zero) that v5 drops: 14 bodies instead of 13, 23 degrees of freedom instead of 17.
_HUMANOID_V4_PARTS = Edit(
    "- *cinert (130 elements):*",
    "- *cinert (140 elements):* Mass and inertia of the rigid body parts relative to the center of mass "
    "(an intermediate result of the simulation). It has shape 14*10 (*nbody * 10*): one row of 10 per "
    "body, in the order of the body table below, starting with the worldbody, whose values are always 0.\n"
    "- *cvel (84 elements):* Center of mass based velocity of each body: angular velocity x, y, z, then "
    "linear velocity x, y, z. It has shape 14 * 6 (*nbody * 6*), worldbody first (always 0).\n"
    "- *qfrc_actuator (23 elements):* The actuator force at each degree of freedom, shape `(23,)` "
    "(*nv * 1*), in the order of the joint table below. The first 6 entries belong to the root free "
    "joint, which has no actuator, and are always 0.\n"
    "- *cfrc_ext (84 elements):* The center of mass based external (contact) force on each body: torque "
    "x, y, z, then force x, y, z. It has shape 14 * 6 (*nbody * 6*), worldbody first (always 0).\n\n",
    until="where *nbody* is the number of bodies",
)


def _humanoid_observation(name: str) -> tuple[Edit, ...]:
    return (
        _HUMANOID_V4_PARTS,
        Edit("`Box(-Inf, Inf, (350,), float64)`", "`Box(-Inf, Inf, (378,), float64)`"),
        Edit("`Box(-Inf, Inf, (348,), float64)`", "`Box(-Inf, Inf, (376,), float64)`"),
        Edit("**Note:**\nWhen using " + name, until="## Rewards"),
    )


_HUMANOID_V4_OBSERVATION = (
    "The observation has 376 elements (v5 has 348): qpos without the torso's x and y (22), qvel (23), "
    "cinert (140), cvel (84), qfrc_actuator (23) and cfrc_ext (84). The cinert, cvel and cfrc_ext parts "
    "include the worldbody's rows and qfrc_actuator includes the root joint's 6 entries; all of these "
    "are always 0."
)
_NO_CONTACT_COST = (
    "The reward has no contact_cost term: reward = healthy_reward + forward_reward - ctrl_cost."
)


def _same_as_v5(size: int) -> str:
    return (
        f"None that matter here: with default settings v4 has the same {size}-element observation, "
        "reward and (absent) termination as described above."
    )


NOTES: dict[str, EnvNotes] = {
    "Blackjack-v1": EnvNotes(
        edits=(
            Edit(
                "- win game with natural blackjack:",
                "- win game with natural blackjack (an ace and a ten-valued card as the first two cards): "
                "+1, the same as any other win (there is no bonus for a natural)\n\n",
                until="## Episode End",
            ),
        )
    ),
    "CliffWalking-v0": EnvNotes(
        edits=(Edit("The cliff can be chosen to be slippery", until="## Action Space"),),
    ),
    "Taxi-v3": EnvNotes(
        edits=(Edit(" Noops can be avoided by sampling the `action_mask` returned in `info`."),),
    ),
    "CartPole-v1": EnvNotes(
        edits=(Edit("If `sutton_barto_reward=True`", until="## Starting State"),),
    ),
    "Acrobot-v1": EnvNotes(
        edits=(
            Edit("As seen in the **Gif**:", "When drawn, the system shows"),
            Edit(
                "The timestep can be changed through the unwrapped environment:",
                "The dynamics equations are those of Sutton and Barto's book (not those of the NeurIPS "
                "paper, which miss some terms).",
                until="\nSmaller timesteps can reduce numerical integration error.",
            ),
            Edit("\nSmaller timesteps can reduce numerical integration error."),
        )
    ),
    "Pendulum-v1": EnvNotes(
        edits=(
            Edit(
                "The diagram below specifies the coordinate system used for the implementation",
                "The coordinate system used for the implementation",
            ),
            Edit("dynamic equations.\n", "dynamic equations is:\n"),
            Edit(
                "The episode truncates at 200 time steps.",
                "The episode never terminates; it is truncated after 200 time steps.",
            ),
        )
    ),
    "Reacher-v4": EnvNotes(
        doc_from="Reacher-v5",
        edits=(
            Edit(
                "- *xpos (2 elements):* The vector between the target and the reacher's.",
                "- *xpos (3 elements):* The vector from the target to the fingertip (fingertip position "
                "minus target position), x, y and z.",
            ),
            Edit("`Box(-Inf, Inf, (10,), float64)`", "`Box(-Inf, Inf, (11,), float64)`"),
            Edit("| excluded | z-value of position_fingertip", "| 10       | z-value of position_fingertip"),
            Edit(
                "It is $-w_{near}",
                "It is $-\\|(P_{fingertip} - P_{target})\\|_2$, computed from the positions **before** the "
                "action is applied: minus the Euclidean norm of elements 8 to 10 of the observation the "
                "step starts from.\n",
                until="- *reward_control*:",
            ),
            Edit("penalize the walker for", "penalize the reacher for"),
            Edit(
                "i.e. as $-w_{control} \\|action\\|_2^2$.\n"
                "where $w_{control}$ is the `reward_control_weight`. (default is $0.1$)",
                "i.e. as $-\\|action\\|_2^2$ (weight 1).",
            ),
            Edit("The default frame rate is $2$", "The default frame skip is $2$"),
            Edit("*dt = 5 * 0.01 = 0.02*", "*dt = 2 * 0.01 = 0.02*"),
        ),
        differences=(
            "The observation has 11 elements (v5 has 10): element 10 is the z-component of fingertip "
            "minus target, which is always 0.",
            "Both reward terms use the state before the physics step: reward_distance is minus the "
            "distance between fingertip and target in the state the step starts from (not the next "
            "state), and reward_control is minus the sum of the squared action elements.",
        ),
    ),
    "Pusher-v4": EnvNotes(
        # Runs as Pusher-v5 (see the registry), so only the v5 docstring's own errors are fixed.
        edits=(
            Edit("An action `(a, b)` represents", "An action represents"),
            Edit("`Box(-Inf, Inf, (17,), float64)`", "`Box(-Inf, Inf, (23,), float64)`"),
            Edit(
                "the pusher's *fingertip* is further away from the target.",
                "the pusher's *fingertip* is further away from the object.",
            ),
            Edit("(P_{fingertip} - P_{target})", "(P_{fingertip} - P_{object})"),
            Edit("Pusher arm is $0_{6}$", "Pusher arm is $0_{7}$"),
            Edit("0.005 \\times I_{6}, 0.005 \\times I_{6}", "0.005 \\times I_{7}, 0.005 \\times I_{7}"),
        ),
    ),
    "InvertedPendulum-v4": EnvNotes(
        doc_from="InvertedPendulum-v5",
        edits=(
            Edit(
                "a reward of +1 is given for each timestep that the pole is upright.",
                "a reward of +1 is given for every timestep, including the final step on which the pole "
                "falls and the episode terminates.",
            ),
            Edit("The pole is considered upright if:", until="## Starting State"),
        ),
        differences=(
            "The reward is +1 on every step, including the step on which the pole falls and the episode "
            "terminates (v5 gives 0 on that step).",
        ),
    ),
    "InvertedDoublePendulum-v4": EnvNotes(
        doc_from="InvertedDoublePendulum-v5",
        edits=(
            _clip_qvel(3),
            Edit(
                "- *qfrc_constraint (1 element):* Constraint force of the cart.",
                "- *qfrc_constraint (3 elements):* The constraint forces on the three degrees of freedom "
                "(slider, hinge, hinge2), each clipped to $[-10, 10]$. The two hinge entries are always 0; "
                "the slider entry is usually 0 and becomes non-zero when the cart reaches the end of its "
                "rail.\n",
                until="The approach and handling of constraints",
            ),
            Edit("`Box(-Inf, Inf, (9,), float64)`", "`Box(-Inf, Inf, (11,), float64)`"),
            Edit(
                "| 8   | constraint force - x ",
                "| 8   | constraint force on the slider (cart) | -Inf | Inf | slider | slide | Force (N) |\n"
                "| 9   | constraint force on the first hinge (always 0) | -Inf | Inf | hinge | hinge | "
                "torque (N m) |\n"
                "| 10  | constraint force on the second hinge (always 0) | -Inf | Inf | hinge2 | hinge | "
                "torque (N m) |\n\n",
                until="## Rewards",
            ),
            _survive_every_step("Inverted Pendulum", "10", "- *distance_penalty*:"),
            Edit("xy-coordinatesof", "xy-coordinates of"),
            Edit(
                "$10^{-3} \\omega_1 + 5 \\times 10^{-3} \\omega_2$,\n"
                "where $\\omega_1, \\omega_2$ are the angular velocities of the hinges.",
                "$10^{-3} \\omega_1^2 + 5 \\times 10^{-3} \\omega_2^2$,\n"
                "where $\\omega_1, \\omega_2$ are the angular velocities of the hinges (not clipped; "
                "observation elements 6 and 7 hold the same values clipped to $[-10, 10]$).",
            ),
        ),
        differences=(
            "The observation has 11 elements (v5 has 9): elements 8 to 10 are the clipped constraint "
            "forces on all three degrees of freedom (v5 keeps only the slider's).",
            "The alive bonus of 10 is paid on every step, including the step on which the episode "
            "terminates (v5 gives 0 on that step).",
        ),
    ),
    "HalfCheetah-v4": EnvNotes(doc_from="HalfCheetah-v5", differences=(_same_as_v5(17),)),
    "Hopper-v4": EnvNotes(
        doc_from="Hopper-v5",
        edits=(
            _clip_qvel(6),
            _survive_every_step("Hopper", "1", "- *forward_reward*:"),
            Edit(
                "1. An element of `observation[1:]`",
                "1. An element of the joint state, that is the angles `observation[1:5]` or any of the 6 "
                "velocities (before clipping), is not in the open interval $(-100, 100)$.\n",
                until="2. The height of the hopper",
            ),
        ),
        differences=(_survive_difference("Hopper", "1"),),
    ),
    "Swimmer-v4": EnvNotes(doc_from="Swimmer-v5", differences=(_same_as_v5(8),)),
    "Walker2d-v4": EnvNotes(
        doc_from="Walker2d-v5",
        edits=(
            _clip_qvel(9),
            _survive_every_step("Walker2d", "1", "- *forward_reward*:"),
            Edit(
                "1. Any of the state space values is no longer finite",
                "1. The z-coordinate of the torso (the height, `observation[0]`) is **not** in the open "
                "interval $(0.8, 2.0)$.\n"
                "2. The angle of the torso (`observation[1]`) is **not** in the open interval $(-1, 1)$.\n\n",
                until="### Truncation",
            ),
        ),
        differences=(
            _survive_difference("Walker2d", "1"),
            "The two feet have different friction: 0.9 for the right foot and 1.9 for the left foot (v5 "
            "uses 1.9 for both).",
        ),
    ),
    "Ant-v4": EnvNotes(
        doc_from="Ant-v5",
        edits=(
            Edit("- *cfrc_ext (78 elements):*", "\n", until="By default, the observation does not include"),
            Edit("`Box(-Inf, Inf, (107,), float64)`", "`Box(-Inf, Inf, (29,), float64)`"),
            Edit(
                "`Box(-Inf, Inf, (105,), float64)`, where the position and velocity elements are",
                "`Box(-Inf, Inf, (27,), float64)`, where the elements are",
            ),
            Edit("The body parts are:", until="The (x,y,z) coordinates are translational DOFs"),
            Edit("**Note:**\nWhen using Ant-v3", until="## Rewards"),
            Edit("- ctrl_cost - contact_cost*.", "- ctrl_cost*."),
            _survive_every_step("Ant", "1", "- *forward_reward*:"),
            Edit("displacement of the `main_body`", "displacement of the torso"),
            Edit("- *contact_cost*:", until="`info` contains the individual reward terms."),
            Edit("But if `use_contact_forces=False` on `v4`", until="## Starting State"),
        ),
        differences=(
            "The observation has 27 elements (v5 has 105): qpos without the torso's x and y (13) and "
            "qvel (14). It contains no contact forces (cfrc_ext).",
            _NO_CONTACT_COST,
            _survive_difference("Ant", "1"),
        ),
    ),
    "Humanoid-v4": EnvNotes(
        doc_from="Humanoid-v5",
        edits=(
            *_humanoid_observation("Humanoid-v3"),
            Edit("- ctrl_cost - contact_cost*.", "- ctrl_cost*."),
            _survive_every_step("Humanoid", "5", "- *forward_reward*:"),
            Edit("`frametime` which is $0.001$", "`frametime` which is $0.003$"),
            Edit("- *contact_cost*:", until="`info` contains the individual reward terms."),
            Edit("**Note:** There is a bug in the `Humanoid-v4` environment", until="## Starting State"),
        ),
        differences=(_HUMANOID_V4_OBSERVATION, _NO_CONTACT_COST, _survive_difference("Humanoid", "5")),
    ),
    "HumanoidStandup-v4": EnvNotes(
        doc_from="HumanoidStandup-v5",
        edits=(
            *_humanoid_observation("HumanoidStandup-v3"),
            Edit(
                "It is measured as $w_{uph}",
                "It is measured as $w_{uph} \\times \\frac{z_{after\\_action} - 0}{0.003}$,\n"
                "where $z_{after\\_action}$ is the z coordinate of the torso after taking an action,\n"
                "and $0.003$ is the duration of one MuJoCo simulation timestep (not the time between "
                "actions, which is $dt = 5 \\times 0.003 = 0.015$),\n",
                until="and $w_{uph}$ is",
            ),
            Edit(
                "$w_{impact} \\times clamp(impact\\_cost\\_range, \\|F_{contact}\\|_2^2)$, where",
                "$\\min(w_{impact} \\times \\|F_{contact}\\|_2^2, 10)$, where",
            ),
            Edit("$[0.0, 0.0, 1.4, 1.0, 0.0, ... 0.0]", "$[0.0, 0.0, 0.105, 1.0, 0.0, ... 0.0]"),
        ),
        differences=(
            _HUMANOID_V4_OBSERVATION,
            "The reward and the (absent) termination are the same as in v5 with default settings.",
        ),
    ),
}
