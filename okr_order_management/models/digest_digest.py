from odoo import fields, models
from odoo.exceptions import AccessError


class Digest(models.Model):
    """OKR KPIs in Odoo's periodic digest: what slipped, for a manager who
    does not open the app.

    They are states, not events: each counts what stands when the digest is
    sent, in the digest's company, as the recipient may read it, so every
    column of the e-mail shows the same figure.
    """

    _inherit = "digest.digest"

    kpi_okr_key_result_at_risk = fields.Boolean("OKR: Key Results at Risk")
    kpi_okr_key_result_at_risk_value = fields.Integer(
        compute="_compute_kpi_okr_key_result_at_risk_value",
        export_string_translation=False,
    )
    kpi_okr_key_result_off_track = fields.Boolean("OKR: Key Results off Track")
    kpi_okr_key_result_off_track_value = fields.Integer(
        compute="_compute_kpi_okr_key_result_off_track_value",
        export_string_translation=False,
    )
    kpi_okr_checkin_overdue = fields.Boolean("OKR: Check-ins Overdue")
    kpi_okr_checkin_overdue_value = fields.Integer(
        compute="_compute_kpi_okr_checkin_overdue_value",
        export_string_translation=False,
    )
    kpi_okr_objective_achieved = fields.Boolean("OKR: Objectives Achieved This Cycle")
    kpi_okr_objective_achieved_value = fields.Integer(
        compute="_compute_kpi_okr_objective_achieved_value",
        export_string_translation=False,
    )

    def _compute_kpi_okr_key_result_at_risk_value(self):
        self._okr_calculate_kpi("kpi_okr_key_result_at_risk_value")

    def _compute_kpi_okr_key_result_off_track_value(self):
        self._okr_calculate_kpi("kpi_okr_key_result_off_track_value")

    def _compute_kpi_okr_checkin_overdue_value(self):
        self._okr_calculate_kpi("kpi_okr_checkin_overdue_value")

    def _compute_kpi_okr_objective_achieved_value(self):
        self._okr_calculate_kpi("kpi_okr_objective_achieved_value")

    def _compute_kpis_actions(self, company, user):
        res = super()._compute_kpis_actions(company, user)
        menu = self.env.ref("okr_order_management.okr_menu_root").id
        key_results = f"okr_order_management.okr_key_result_action&menu_id={menu}"
        res.update(
            kpi_okr_key_result_at_risk=key_results,
            kpi_okr_key_result_off_track=key_results,
            kpi_okr_checkin_overdue=key_results,
            kpi_okr_objective_achieved=(
                f"okr_order_management.okr_objective_action&menu_id={menu}"
            ),
        )
        return res

    def _okr_kpis(self):
        """What each OKR KPI counts, by value field: ``(model, domain)``."""
        today = fields.Date.context_today(self)
        open_cycle = [("cycle_id.state", "!=", "closed")]
        return {
            "kpi_okr_key_result_at_risk_value": (
                "okr.key.result",
                [*open_cycle, ("status", "=", "at_risk")],
            ),
            "kpi_okr_key_result_off_track_value": (
                "okr.key.result",
                [*open_cycle, ("status", "=", "off_track")],
            ),
            "kpi_okr_checkin_overdue_value": (
                "okr.key.result",
                self.env["okr.key.result"]._okr_checkin_overdue_domain(today),
            ),
            "kpi_okr_objective_achieved_value": (
                "okr.objective",
                [("cycle_id.is_current", "=", True), ("status", "=", "achieved")],
            ),
        }

    def _okr_calculate_kpi(self, kpi_field):
        """Digest's ``_calculate_company_based_kpi`` for a state: one count
        per company in the database, with the user's rights."""
        if not self.env.user.has_group("okr_order_management.group_okr_user"):
            raise AccessError(
                self.env._("Do not have access, skip this data for user's digest email")
            )
        model_name, domain = self._okr_kpis()[kpi_field]
        __, __, companies = self._get_kpi_compute_parameters()
        counts = dict(
            self.env[model_name]._read_group(
                [("company_id", "in", companies.ids), *domain],
                ["company_id"],
                ["__count"],
            )
        )
        for digest in self:
            digest[kpi_field] = counts.get(digest.company_id or self.env.company, 0)
