from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .okr_input import format_number

#: The longest grace period a cycle's close may give, in hours (a week).
MAX_CLOSE_GRACE_HOURS = 168


class ResCompany(models.Model):
    """How long after a cycle's last day what is recorded still counts in its
    close (a delivery of the last evening validated the next morning)."""

    # Beside the cycle close it sets up (okr_cycle_close.py).
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    okr_close_grace_hours = fields.Integer(
        string="Close Grace Period (h)",
        default=0,
        help="When a cycle closes, its metric key results count what is dated up "
        "to this many hours after the end of its last day: a delivery of the "
        "last evening validated the next morning counts in the cycle it closes "
        "(and in the next one too, where it is dated).",
    )

    @api.constrains("okr_close_grace_hours")
    def _check_okr_close_grace_hours(self):
        for company in self:
            if not 0 <= company.okr_close_grace_hours <= MAX_CLOSE_GRACE_HOURS:
                raise ValidationError(
                    self.env._(
                        "Close Grace Period of %(company)s is %(hours)s hours: set "
                        "it from 0 (the last day ends the cycle) to %(max)s hours.",
                        company=company.name,
                        hours=format_number(self.env, company.okr_close_grace_hours),
                        max=format_number(self.env, MAX_CLOSE_GRACE_HOURS),
                    )
                )
