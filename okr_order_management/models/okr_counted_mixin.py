from collections import defaultdict

from odoo import api, fields, models

from ..measure_members import counted_records


class OkrCountedMixin(models.AbstractModel):
    """A document that metric key results count: which ones, on a smart
    button. Computed when read, so that confirming an order or validating a
    delivery costs nothing more."""

    _name = "okr.counted.mixin"
    _description = "Document Counted by Key Results"

    okr_key_result_ids = fields.Many2many(
        "okr.key.result",
        string="Key Results",
        compute="_compute_okr_key_result_ids",
        groups="base.group_user",
        help="The metric key results of open cycles that count this document "
        "now, among those you may read.",
    )
    okr_key_result_count = fields.Integer(
        string="Key Results Count",
        compute="_compute_okr_key_result_ids",
        groups="base.group_user",
    )

    @api.depends_context("uid", "companies")
    def _compute_okr_key_result_ids(self):
        KeyResult = self.env["okr.key.result"]
        counting = self._okr_counting_key_results()
        for record in self:
            key_results = counting.get(record._origin.id, KeyResult)
            record.okr_key_result_ids = key_results
            record.okr_key_result_count = len(key_results)

    def action_view_okr_key_results(self):
        """Open the key results this document counts towards."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "okr_order_management.okr_key_result_action"
        )
        action.update(
            domain=[("id", "in", self.okr_key_result_ids.ids)],
            context={"create": False},
        )
        return action

    def _okr_counting_key_results(self):
        """``{record id: key results}``: the metric key results of open cycles
        that count each of these records now, among those the user may read.

        One search, then one query for every key result together (see
        ``measure_members``): the cost does not grow with the key results.
        """
        record_ids = [record_id for record_id in self._origin.ids if record_id]
        if not record_ids:
            return {}
        key_results = self.env["okr.key.result"].search(
            [
                ("source", "=", "metric"),
                ("cycle_id.state", "!=", "closed"),
                ("metric_id.model_name", "=", self._name),
                ("company_id", "in", self._origin.company_id.ids),
            ]
        )
        now = fields.Datetime.now()
        measures = {}
        for key_result in key_results:
            try:
                measures[key_result.id] = key_result._okr_measure(now)
            except (ValueError, SyntaxError, KeyError):
                continue  # it shows its error itself and counts nothing
        members = counted_records(self.env, measures, record_ids)
        counting = defaultdict(list)
        for key_result in key_results:
            for record_id in members.get(key_result.id, ()):
                counting[record_id].append(key_result.id)
        return {
            record_id: key_results.browse(key_result_ids)
            for record_id, key_result_ids in counting.items()
        }
