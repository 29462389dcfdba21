from odoo import api, models


class OkrDemoHistory(models.AbstractModel):
    """The demo's closed quarter, closed through the close wizard as an OKR
    manager closes one, so that its frozen values and reasons are real."""

    _inherit = "okr.demo.history"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _close_demo_cycle(self, cycle_xmlid, reasons):
        """Close the cycle with ``reasons``: ``(key result xmlid, reason,
        note)`` for the key results that missed."""
        cycle = self.env.ref(cycle_xmlid)
        action = cycle.action_close()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        for xmlid, reason, note in reasons:
            key_result = self.env.ref(xmlid)
            line = wizard.line_ids.filtered(
                lambda line, kr=key_result: line.key_result_id == kr
            )
            line.write({"miss_reason": reason, "miss_note": note})
        wizard.action_confirm()
