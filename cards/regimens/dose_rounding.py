"""IV doses as pharmacies round them: the words the dose check says about the institution's
rounding threshold (`iv_dose_rounding_percent`, 5 % by default).

An IV dose computed per kg or per m² is shown exact. A draft within the rounding threshold of
the dose it is read as (the computed dose, or a label dose-reduction level) is accepted as
rounding; beyond it but within the dose tolerance (`dose_tolerance_percent`) it gets an
information card; beyond the tolerance the dose check warns as for any dose. The verdicts are
`dose_review`'s; this module only writes them.
"""

from __future__ import annotations

from cards.phrasing import fit, percent_beyond
from cards.regimens.dose_review import IV_ROUNDING, DoseReview, Verdict, rounds_iv
from cards.regimens.doses import ComputedDose, per_basis_text
from cards.regimens.situation import Situation


def percent_off(review: DoseReview, threshold: float | None = None) -> tuple[str, str]:
    """How far the draft is from the dose it was read as: ('8', 'above'), ('5.4', 'below');
    never shown as the threshold itself when it is beyond it (5.03 %, not "5 %")."""
    drafted, matched = review.amount.per_basis, review.matched
    if drafted is None or not matched:
        return "", ""
    ratio = (drafted / matched - 1) * 100
    limit = threshold if threshold is not None else abs(ratio)
    return percent_beyond(abs(ratio), limit, digits=1), "above" if ratio > 0 else "below"


def rounding_summary(
    review: DoseReview, sit: Situation, short: str, drafted: str, expected: ComputedDose
) -> str:
    """Within the dose tolerance, beyond the institution's rounding threshold for IV doses."""
    threshold = sit.config.threshold(IV_ROUNDING)
    off, direction = percent_off(review, threshold)
    wanted = expected.amount + (" loading dose" if expected.is_loading else "")
    target = f"the {wanted} {review.level} dose" if review.level else f"the computed {wanted}"
    return fit(
        f"{short} {drafted} is {off} % {direction} {target}: "
        f"outside the {threshold:g} % rounding threshold",
        f"{short} {drafted}: {off} % {direction} the computed dose, outside the {threshold:g} % "
        "rounding threshold",
        f"{short} {drafted} is outside the {threshold:g} % rounding threshold",
    )


def accepted_paragraph(review: DoseReview, sit: Situation) -> str:
    """What the dose check accepts, on a card for a dose beyond it."""
    tolerance = sit.config.threshold("dose_tolerance_percent")
    if not rounds_iv(review.drug):
        return (
            f"Doses within ±{tolerance:g} % of the computed dose are accepted (institutional "
            "setting), as are the label's dose-reduction levels once treatment has started."
        )
    return (
        f"IV doses within the {sit.config.threshold(IV_ROUNDING):g} % rounding threshold of the "
        f"computed dose are accepted as rounding, and up to ±{tolerance:g} % get an information "
        "card (institutional settings); the label's dose-reduction levels are accepted once "
        "treatment has started."
    )


def rounding_paragraphs(review: DoseReview, sit: Situation) -> tuple[str, ...]:
    """An IV dose per kg or m²: where the draft stands against the institution's rounding
    threshold, when the card is about that or about something else (the dose that is due, a
    re-escalation); a label maximum is never rounded over."""
    if not rounds_iv(review.drug) or review.matched is None:
        return ()
    threshold = sit.config.threshold(IV_ROUNDING)
    tolerance = sit.config.threshold("dose_tolerance_percent")
    off, direction = percent_off(review, threshold)
    if review.verdict is Verdict.ABOVE_CEILING:
        return (f"The {threshold:g} % rounding threshold does not apply above a label maximum.",)
    if review.verdict is Verdict.OUTSIDE_ROUNDING:
        assert review.expected is not None
        exact = review.expected.amount
        return (
            f"The computed dose is {exact}, shown exact as IV doses are. The drafted dose is "
            f"{off} % {direction} it: more than the {threshold:g} % the pharmacy rounds IV doses "
            f"by, within the ±{tolerance:g} % dose tolerance (institutional settings). Keep it "
            f"if it was intended (vial rounding, for example); otherwise order {exact}.",
        )
    if review.verdict in (Verdict.WRONG_DOSE, Verdict.WRONG_INTERVAL) or not off or off == "0":
        return ()  # nothing to say about rounding for a dose drafted exactly
    read_as = per_basis_text(review.matched, review.drug.basis)
    where = "within" if float(off) <= threshold else "outside"
    return (
        f"The drafted dose is read as {read_as} ({off} % {direction} it, {where} the "
        f"{threshold:g} % rounding threshold; institutional setting).",
    )
