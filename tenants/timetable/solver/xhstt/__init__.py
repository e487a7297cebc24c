"""XHSTT-2014 benchmark support: parse archives and evaluate solutions (pure Python, no Django)."""

from .evaluator import ConstraintCost, Evaluation, PointCost, evaluate
from .parser import XhsttFormatError, parse_bytes, parse_file

__all__ = [
    "ConstraintCost",
    "Evaluation",
    "PointCost",
    "XhsttFormatError",
    "evaluate",
    "parse_bytes",
    "parse_file",
]
