from dateutil.relativedelta import relativedelta

from odoo import fields, models

#: How long a manual key result may go without a check-in, by cadence: the
#: reminders' rule (okr_key_result_reminder) and nothing else reads it.
CADENCE_PERIODS = {
    "weekly": relativedelta(weeks=1),
    "biweekly": relativedelta(weeks=2),
    "monthly": relativedelta(months=1),
}


class OkrCycle(models.Model):
    """The rhythm of a cycle: how often its key results are checked in. A
    change of cadence is tracked in the cycle's chatter, where reviewers look."""

    # Apart from the cycle's dates and states: the review rhythm.
    _inherit = "okr.cycle"  # pylint: disable=consider-merging-classes-inherited

    checkin_cadence = fields.Selection(
        [
            ("weekly", "Weekly"),
            ("biweekly", "Every Two Weeks"),
            ("monthly", "Monthly"),
        ],
        string="Check-in Cadence",
        required=True,
        default="weekly",
        tracking=True,
        help="How often the owners of its manual key results check in: a key "
        "result not checked in for that long gets a “Check-in due” activity "
        "for its owner. Key results computed from a metric need none.",
    )
