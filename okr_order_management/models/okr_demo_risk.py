from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

ELI = "okr_order_management.res_users_eli_lambert_demo"
RACHEL = "okr_order_management.res_users_rachel_perry_demo"
ECOMMERCE = "okr_order_management.crm_team_ecommerce_demo"
SALES = "sales_team.team_sales_department"
PRESALES = "sales_team.crm_team_1"
#: The demo's open orders: salesperson, sales team, hours from now to the
#: promised date, days from confirmation to it, hours from quotation to
#: confirmation, quantity, quantity already delivered. Some are late by hours
#: or days, some due within the 2-day horizon, one due later (not at risk).
RISK_ORDERS = [
    (ELI, ECOMMERCE, -74, 5, 20, 4, 0),
    (RACHEL, SALES, -30, 4, 22, 6, 2),
    ("base.user_admin", PRESALES, -9, 3, 26, 3, 0),
    (ELI, ECOMMERCE, -3, 2, 9, 2, 0),
    (RACHEL, SALES, 6, 3, 15, 5, 0),
    ("base.user_demo", PRESALES, 22, 4, 30, 1, 0),
    (ELI, ECOMMERCE, 41, 3, 12, 3, 0),
    (RACHEL, SALES, 120, 5, 19, 2, 0),
]


class OkrDemoHistory(models.AbstractModel):
    """Open orders whose promised date is past or near, from several
    salespeople and teams, so that Orders at Risk and the late open orders
    key results show what they are for."""

    _inherit = "okr.demo.history"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _build_risk(self, cycle_xmlid, product_team_xmlid):
        now = fields.Datetime.now()
        # The demo's stocked product, sold by the team whose history was built.
        product = (
            self.env["sale.order.line"]
            .search(
                [("order_id.team_id", "=", self.env.ref(product_team_xmlid).id)],
                limit=1,
            )
            .product_id
        )
        customers = self.env["res.partner"].search(
            [
                ("is_company", "=", True),
                ("property_stock_customer.usage", "=", "customer"),
            ],
            limit=8,
        )
        orders = self.env["sale.order"]
        for index, row in enumerate(RISK_ORDERS):
            user, team, due_hours, lead_days, confirm_hours, qty, delivered = row
            promised = now + timedelta(hours=due_hours)
            confirmed = min(now, promised - timedelta(days=lead_days))
            orders |= self._demo_open_order(
                product,
                customers[index % len(customers)],
                self.env.ref(user),
                self.env.ref(team),
                promised,
                confirmed - timedelta(hours=confirm_hours),
                confirmed,
                qty,
                delivered,
            )
        # The two latest orders: their salespeople were told, one click each.
        orders.sorted("okr_promised_date")[:2].action_okr_schedule_risk_activity()
        key_results = self.env["okr.key.result"].search(
            [
                ("source", "=", "metric"),
                ("cycle_id", "=", self.env.ref(cycle_xmlid).id),
            ]
        )
        key_results._okr_recompute(now=now)

    def _demo_open_order(
        self, product, customer, user, team, promised, created, confirmed, qty, done
    ):
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": user.id,
                "team_id": team.id,
                "commitment_date": promised,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                ],
            }
        )
        order.action_confirm()
        if done:
            picking = order.picking_ids
            picking.move_ids.quantity = done
            picking.move_ids.picked = True
            # Validated with a backorder for the rest: partially delivered.
            picking.with_context(skip_backorder=True).button_validate()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE sale_order SET create_date = %s, date_order = %s, "
                "okr_confirmed_at = %s WHERE id = %s",
                created,
                confirmed,
                confirmed,
                order.id,
            )
        )
        self.env.invalidate_all()
        self.env.add_to_compute(order._fields["okr_confirmation_hours"], order)
        self.env.flush_all()
        return order
