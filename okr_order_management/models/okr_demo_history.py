import random
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

#: Weeks of order history the demo builds, and orders per week.
DEMO_WEEKS = 8
DEMO_ORDERS_PER_WEEK = 10


class OkrDemoHistory(models.AbstractModel):
    """Builds the demo's order history, so metric key results show real values.

    Called once from demo/okr_demo.xml. Orders go through the real flows
    (confirmation, delivery, cancellation, return); only their timestamps are
    moved back in SQL, since the ORM stamps them with the current time.
    """

    _name = "okr.demo.history"
    _description = "OKR Demo Order History"

    @api.model
    def _build(self, team_xmlid, key_result_xmlids):
        rng = random.Random(42)
        team = self.env.ref(team_xmlid)
        now = fields.Datetime.now()
        product = self._demo_product()
        customers = self.env["res.partner"].search(
            [
                ("is_company", "=", True),
                # not the partners of companies, delivered through transit
                ("property_stock_customer.usage", "=", "customer"),
            ],
            limit=8,
        ) or self.env["res.partner"].create(
            [{"name": name, "is_company": True} for name in ("Azure", "Deco")]
        )
        for week in range(DEMO_WEEKS, 0, -1):
            # Confirmation time falls from about 46 h to about 28 h.
            typical_hours = 46 - (DEMO_WEEKS - week) * 18 / (DEMO_WEEKS - 1)
            # Errors fall from about one order in eight to one in thirty.
            error_rate = 0.12 - (DEMO_WEEKS - week) * 0.09 / (DEMO_WEEKS - 1)
            for index in range(DEMO_ORDERS_PER_WEEK):
                created = now - timedelta(
                    weeks=week, hours=index * 16 + rng.randint(1, 9)
                )
                self._demo_order(
                    product,
                    customers[(week + index) % len(customers)],
                    team,
                    created,
                    max(2.0, typical_hours + rng.uniform(-6, 6)),
                    # Deliveries (due 48 h after confirmation) get on time.
                    rng.randint(16, 40 + week * 4),
                    rng,
                    fail=rng.random() < error_rate,
                )
        orders = self.env["sale.order"].search([("team_id", "=", team.id)])
        orders._okr_flag_first_orders(orders._okr_entities())
        key_results = self.env["okr.key.result"].browse(
            self.env.ref(xmlid).id for xmlid in key_result_xmlids
        )
        for week in range(DEMO_WEEKS - 1, -1, -1):
            key_results._okr_recompute(now=now - timedelta(weeks=week))

    def _demo_product(self):
        product = self.env["product.product"].create(
            {
                "name": self.env._("Office Chair (OKR demo)"),
                "is_storable": True,
                "list_price": 320.0,
                "standard_price": 180.0,
            }
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"].create(
            {
                "product_id": product.id,
                "location_id": warehouse.lot_stock_id.id,
                "inventory_quantity": 500,
            }
        ).action_apply_inventory()
        return product

    def _demo_order(
        self, product, customer, team, created, hours, delivery_hours, rng, fail
    ):
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "team_id": team.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": rng.randint(1, 6)}
                    )
                ],
            }
        )
        order.action_confirm()
        confirmed = created + timedelta(hours=hours)
        picking = order.picking_ids
        if fail and rng.random() < 0.5:
            order._action_cancel()
        else:
            picking.move_ids.picked = True
            picking.button_validate()
            if fail:
                self._demo_return(picking)
        delivered = confirmed + timedelta(hours=delivery_hours)
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
        self.env.cr.execute(
            SQL(
                "UPDATE stock_picking SET date_done = %s, scheduled_date = %s, "
                "date_deadline = %s WHERE sale_id = %s AND state = 'done'",
                delivered,
                confirmed + timedelta(hours=48),
                confirmed + timedelta(hours=48),
                order.id,
            )
        )
        self.env.invalidate_all()
        order_fields = [
            "okr_confirmation_hours",
            "okr_delivered_at",
            "okr_fulfilment_hours",
        ]
        for fname in order_fields:
            self.env.add_to_compute(order._fields[fname], order)
        for fname in ("okr_deadline", "okr_on_time"):
            self.env.add_to_compute(picking._fields[fname], order.picking_ids)
        self.env.flush_all()

    def _demo_return(self, picking):
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        action = wizard.action_create_returns()
        returned = self.env["stock.picking"].browse(action["res_id"])
        returned.move_ids.picked = True
        returned.button_validate()
