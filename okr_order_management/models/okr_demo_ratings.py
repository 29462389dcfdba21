import random
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .okr_demo_history import DEMO_WEEKS


class OkrDemoHistory(models.AbstractModel):
    """The demo customers rate most of their delivered orders, a little more
    happily week after week, so that the customer satisfaction key result is
    computed from ratings like any other."""

    # Apart from the demo's check-in history: the customers' ratings.
    _inherit = "okr.demo.history"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _build_ratings(self, team_xmlid, key_result_xmlid):
        rng = random.Random(9)
        now = fields.Datetime.now()
        orders = self.env["sale.order"].search(
            [
                ("team_id", "=", self.env.ref(team_xmlid).id),
                ("okr_delivered_at", "!=", False),
            ],
            order="okr_delivered_at, id",
        )
        model_id = self.env["ir.model"]._get_id("sale.order")
        for order in orders:
            if rng.random() > 0.75:
                continue  # not every customer answers
            rated = order.okr_delivered_at + timedelta(hours=rng.randint(4, 48))
            if rated >= now:
                continue
            weeks_ago = (now - rated).days / 7
            satisfied = 0.92 - weeks_ago * 0.15 / DEMO_WEEKS
            draw = rng.random()
            value = (
                5
                if draw < satisfied
                else (3 if draw < satisfied + 0.6 * (1 - satisfied) else 1)
            )
            rating = self.env["rating.rating"].create(
                {
                    "res_model_id": model_id,
                    "res_id": order.id,
                    "partner_id": order.partner_id.id,
                    "rated_partner_id": order.user_id.partner_id.id,
                    "rating": value,
                    "consumed": True,
                }
            )
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "UPDATE rating_rating SET okr_rated_at = %s, create_date = %s, "
                    "write_date = %s WHERE id = %s",
                    rated,
                    rated - timedelta(hours=2),
                    rated,
                    rating.id,
                )
            )
        self.env.invalidate_all()
        key_result = self.env.ref(key_result_xmlid)
        for week in range(DEMO_WEEKS - 1, -1, -1):
            key_result._okr_recompute(now=now - timedelta(weeks=week))
