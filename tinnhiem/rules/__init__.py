"""The counting core of tinnhiem: rule sets, ballots, tally, outcomes and quorum.

Pure Python, typed, no Django and no I/O beyond reading the shipped rule-set data.
"""

from .ballots import Ballot, read_row
from .deadlines import Deadline, deadlines
from .eligibility import ExclusionGround, exclusion_grounds
from .errors import RulesError, RuleSetError, TallyError
from .loader import BUILTIN_IDS, builtin_rule_set, builtin_rule_sets, load_rule_set_text, resolve_rule_set
from .model import Citation, Level, OutcomeStep, RuleSet, Threshold
from .percent import format_percent, hundredths
from .quorum import ApprovalCheck, QuorumCheck, check_committee_approval, check_quorum
from .tally import BallotCounts, PersonResult, PersonTotals, TallyResult, compute_result, sum_ballots, tally_ballots

__all__ = [
    "BUILTIN_IDS",
    "ApprovalCheck",
    "Ballot",
    "BallotCounts",
    "Citation",
    "Deadline",
    "ExclusionGround",
    "Level",
    "OutcomeStep",
    "PersonResult",
    "PersonTotals",
    "QuorumCheck",
    "RuleSet",
    "RuleSetError",
    "RulesError",
    "TallyError",
    "TallyResult",
    "Threshold",
    "builtin_rule_set",
    "builtin_rule_sets",
    "check_committee_approval",
    "check_quorum",
    "compute_result",
    "deadlines",
    "exclusion_grounds",
    "format_percent",
    "hundredths",
    "load_rule_set_text",
    "read_row",
    "resolve_rule_set",
    "sum_ballots",
    "tally_ballots",
]
