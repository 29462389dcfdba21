"""Progress, status and score rules of OKRs, in one place.

These are pure functions over plain values so that the models, the reports
and the tests share one definition (see PRODUCT.md, "Progress, status and
score"). Every threshold the rules use is a constant of this module.
"""

from datetime import date

from odoo.tools import float_compare, float_round

#: Status thresholds, in progress points behind the expected pace.
#: A key result up to ``AT_RISK_GAP`` points behind the pace is on track,
#: up to ``OFF_TRACK_GAP`` points behind it is at risk, further is off track.
AT_RISK_GAP = 10.0
OFF_TRACK_GAP = 25.0

#: Score colour bands (PRODUCT.md): below 0.4 red, 0.4-0.7 yellow, 0.7+ green.
SCORE_YELLOW_FROM = 0.4
SCORE_GREEN_FROM = 0.7

#: Expected score by commitment: committed KRs aim at 1.0, aspirational ~0.7.
EXPECTED_SCORE = {"committed": 1.0, "aspirational": 0.7}


def attainment(target_type, start, target, current):
    """Return the attainment of a key result in % (may pass 100 or be < 0).

    ``reach`` moves linearly from ``start`` to ``target``, in either
    direction, so one formula serves increasing and decreasing key results:
    5% -> 1% at 2% is (2 - 5) / (1 - 5) = 75%.
    ``at_least`` / ``at_most`` are achieved on the right side of the target,
    boundary included; below it they move linearly from the start when the
    start is on the wrong side, else they have fallen back to 0.
    ``milestone`` is 0 or 100: done once the current value reaches the target.
    """
    start, target, current = start or 0.0, target or 0.0, current or 0.0
    if target_type == "milestone":
        return 100.0 if current >= target else 0.0
    if target_type in ("at_least", "at_most"):
        increasing = target_type == "at_least"
        achieved = current >= target if increasing else current <= target
        if (start >= target) if increasing else (start <= target):
            # Started on the right side: a "keep it" key result.
            return 100.0 if achieved else 0.0
        linear = _linear(start, target, current)
        return max(100.0, linear) if achieved else linear
    return _linear(start, target, current)


def _linear(start, target, current):
    if target == start:
        return 100.0 if current == target else 0.0
    return (current - start) / (target - start) * 100.0


def progress(attainment_value):
    """Progress is the attainment clamped to 0-100 %."""
    return min(100.0, max(0.0, attainment_value or 0.0))


def weighted_progress(pairs):
    """Weight-averaged progress of ``(weight, progress)`` pairs.

    When every weight is 0 the key results count equally; no pair is 0 %.
    """
    pairs = list(pairs)
    if not pairs:
        return 0.0
    total_weight = sum(weight for weight, _progress in pairs)
    if not total_weight:
        return sum(p for _weight, p in pairs) / len(pairs)
    return sum(weight * p for weight, p in pairs) / total_weight


def uses_aligned_progress(source, has_key_results):
    """Whether an objective's progress moves with the objectives aligned
    under it: chosen (``aligned``, ``both``), or by default when it has no
    key result of its own."""
    return source != "key_results" or not has_key_results


def objective_progress(source, own, aligned, aligned_share):
    """Progress of an objective, in %, by its ``source``.

    ``own`` is its key results' weighted progress and ``aligned`` the average
    progress of the objectives aligned under it, ``None`` when it has none.
    ``key_results`` takes ``own`` (``aligned`` without key results),
    ``aligned`` takes ``aligned``, ``both`` weighs them, ``aligned_share`` %
    going to ``aligned``; a side with nothing to measure leaves the other.
    """
    own = own if source != "aligned" else None
    if not uses_aligned_progress(source, own is not None):
        aligned = None
    if own is not None and aligned is not None:
        share = min(100.0, max(0.0, aligned_share or 0.0)) / 100.0
        return (1.0 - share) * own + share * aligned
    if own is not None:
        return own
    return aligned or 0.0


def expected_pace(date_start, date_end, today):
    """Share of the cycle elapsed before ``today``, in % (0 on the first day).

    The cycle runs from ``date_start`` to ``date_end``, both included.
    """
    if not (date_start and date_end) or today <= date_start:
        return 0.0
    total_days = (date_end - date_start).days + 1
    elapsed_days = (today - date_start).days
    return min(100.0, elapsed_days / total_days * 100.0)


def is_measured(has_checkin, start, current):
    """Whether a key result was measured yet: it has a check-in (typed, or
    written when its metric computed a value), or it was given a current
    value other than its start. Until then it has no pace to keep."""
    return bool(has_checkin) or (current or 0.0) != (start or 0.0)


def status(progress_value, date_start, date_end, today=None, measured=True):
    """Status of a key result or objective from its progress and the pace.

    ``not_started`` before the cycle starts or before the first measure
    (``measured``, see ``is_measured``; an objective is measured once one of
    the key results or aligned objectives it takes its progress from is),
    ``achieved`` at 100 %, else on track / at risk / off track by how far
    progress lags the expected pace.
    """
    today = today or date.today()
    progress_value = progress_value or 0.0
    if not measured:
        return "not_started"
    if progress_value >= 100.0:
        return "achieved"
    if date_start and today < date_start:
        return "not_started"
    gap = expected_pace(date_start, date_end, today) - progress_value
    if gap <= AT_RISK_GAP:
        return "on_track"
    if gap <= OFF_TRACK_GAP:
        return "at_risk"
    return "off_track"


def score(progress_value):
    """Score from 0.0 to 1.0, as in Google's grading: progress / 100.

    Rounded half up (57.5 % scores 0.58): ``round()`` would give 0.57 as
    0.575 is stored as 0.57499...
    """
    return float_round((progress_value or 0.0) / 100.0, precision_digits=2)


def score_band(score_value):
    """Colour band of a score: ``red``, ``yellow`` or ``green``."""
    if score_value >= SCORE_GREEN_FROM:
        return "green"
    if score_value >= SCORE_YELLOW_FROM:
        return "yellow"
    return "red"


def is_missed(score_value, commitment):
    """Whether a key result or objective scored under what its commitment
    expects at the close: 1.0 when committed, 0.7 when aspirational."""
    expected = EXPECTED_SCORE.get(commitment, EXPECTED_SCORE["committed"])
    return float_compare(score_value or 0.0, expected, precision_digits=2) < 0


def closed_status(score_value, commitment):
    """Status of a key result or objective of a closed cycle: ``missed``
    under its expected score, else ``achieved``."""
    return "missed" if is_missed(score_value, commitment) else "achieved"
