from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    okr_risk_horizon_days = fields.Integer(
        related="company_id.okr_risk_horizon_days", readonly=False
    )
