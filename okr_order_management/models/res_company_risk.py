from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: The longest horizon Orders at Risk looks ahead, in days.
MAX_RISK_HORIZON_DAYS = 365


class ResCompany(models.Model):
    _inherit = "res.company"

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
                        days=company.okr_risk_horizon_days,
                        max=MAX_RISK_HORIZON_DAYS,
                    )
                )
