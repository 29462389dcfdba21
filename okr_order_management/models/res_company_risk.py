from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .okr_input import format_number

#: The longest horizon Orders at Risk looks ahead, in days.
MAX_RISK_HORIZON_DAYS = 365


class ResCompany(models.Model):
    """How far ahead the company's Orders at Risk look."""

    # Beside the orders at risk (sale_order_risk.py), apart from its project.
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    okr_risk_horizon_days = fields.Integer(
        string="Orders at Risk Horizon (days)",
        default=2,
        help="An open order is at risk when its promised date is past or within "
        "this many days.",
    )

    @api.constrains("okr_risk_horizon_days")
    def _check_okr_risk_horizon_days(self):
        for company in self:
            if not 0 <= company.okr_risk_horizon_days <= MAX_RISK_HORIZON_DAYS:
                raise ValidationError(
                    self.env._(
                        "Orders at Risk Horizon of %(company)s is %(days)s days: "
                        "set it from 0 (only orders already late) to %(max)s days.",
                        company=company.name,
                        days=format_number(self.env, company.okr_risk_horizon_days),
                        max=format_number(self.env, MAX_RISK_HORIZON_DAYS),
                    )
                )
