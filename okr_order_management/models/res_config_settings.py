from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    okr_risk_horizon_days = fields.Integer(
        related="company_id.okr_risk_horizon_days", readonly=False
    )
    okr_rating_request = fields.Boolean(
        related="company_id.okr_rating_request", readonly=False
    )
    okr_rating_delay_hours = fields.Integer(
        related="company_id.okr_rating_delay_hours", readonly=False
    )
    okr_close_grace_hours = fields.Integer(
        related="company_id.okr_close_grace_hours", readonly=False
    )
