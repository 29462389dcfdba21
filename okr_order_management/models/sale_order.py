from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .order_facts import refuse_order_facts

#: The columns the first-order flags are computed from.
FIRST_ORDER_INPUTS = [
    "state",
    "company_id",
    "okr_commercial_partner_id",
    "okr_confirmed_at",
]

#: The fields of a confirmed order that key results see besides the facts
#: the addon stamps, and the records whose metrics see them: the customer
#: and tags (orders), the team and salesperson (orders, their deliveries and
#: ratings), the warehouse (orders and ratings; a delivery has its own).
SEEN_FIELDS = {
    "partner_id": ("sale.order",),
    "tag_ids": ("sale.order",),
    "team_id": ("sale.order", "stock.picking", "rating.rating"),
    "user_id": ("sale.order", "stock.picking", "rating.rating"),
    "warehouse_id": ("sale.order", "rating.rating"),
}


def _hours_between(start, end):
    """Hours from ``start`` to ``end``, 0 when either is missing.

    Never negative: orders imported with a confirmation date before their
    creation in the database have no measurable confirmation time.
    """
    if not start or not end:
        return 0.0
    return max(0.0, (end - start).total_seconds() / 3600)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    okr_confirmed_at = fields.Datetime(
        string="Confirmed On",
        copy=False,
        readonly=True,
        index=True,
        help="When the order was confirmed; confirming it again after a "
        "cancellation sets it again.",
    )
    okr_confirmation_hours = fields.Float(
        string="Confirmation Time (h)",
        compute="_compute_okr_confirmation_hours",
        store=True,
        copy=False,
        readonly=True,
        aggregator="avg",
        help="Hours from the creation of the quotation to its confirmation.",
    )
    okr_delivered_at = fields.Datetime(
        string="Fully Delivered On",
        compute="_compute_okr_delivered_at",
        store=True,
        copy=False,
        readonly=True,
        index=True,
        help="When the order became fully delivered: the latest validation of its "
        "customer deliveries (returns excluded), once none of them is still "
        "open and at least one is done.",
    )
    okr_fulfilment_hours = fields.Float(
        string="Fulfilment Time (h)",
        compute="_compute_okr_fulfilment_hours",
        store=True,
        copy=False,
        readonly=True,
        aggregator="avg",
        help="Hours from the confirmation of the order to its full delivery.",
    )
    okr_cancelled_after_confirmation = fields.Boolean(
        string="Cancelled After Confirmation",
        copy=False,
        readonly=True,
        help="The order was cancelled after it had been confirmed; confirming it "
        "again clears this.",
    )
    okr_has_return = fields.Boolean(
        string="Goods Returned",
        compute="_compute_okr_has_return",
        store=True,
        copy=False,
        readonly=True,
        help="A return of one of its deliveries has been validated.",
    )
    okr_is_error = fields.Boolean(
        string="Order Error",
        compute="_compute_okr_is_error",
        store=True,
        copy=False,
        readonly=True,
        help="Cancelled after confirmation, or goods were returned.",
    )
    okr_commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        string="Customer Entity",
        store=True,
        copy=False,
        readonly=True,
        index=True,
        help="The company of the customer (or the customer itself): the entity "
        "whose first order makes it a new customer.",
    )
    okr_is_first_order = fields.Boolean(
        string="First Order",
        copy=False,
        readonly=True,
        index=True,
        help="The first confirmed order of its customer entity in this company "
        "(cancelled orders excluded).",
    )
    okr_company_currency_id = fields.Many2one(
        related="company_id.currency_id",
        string="OKR Company Currency",
        readonly=True,
    )
    okr_amount_company = fields.Monetary(
        string="Untaxed Amount (Company Currency)",
        compute="_compute_okr_amount_company",
        store=True,
        copy=False,
        readonly=True,
        currency_field="okr_company_currency_id",
        aggregator="sum",
        help="Untaxed amount converted to the company currency at the rate of the "
        "order.",
    )
    okr_has_complaint = fields.Boolean(
        string="Complaint",
        compute="_compute_okr_has_complaint",
        store=True,
        copy=False,
        readonly=True,
        help='The order carries the "Complaint" tag.',
    )
    okr_promised_date = fields.Datetime(
        string="Promised Date",
        compute="_compute_okr_promised_date",
        store=True,
        copy=False,
        readonly=True,
        index=True,
        help="The delivery date promised to the customer: the delivery date of the "
        "order, else its expected date.",
    )

    def init(self):
        res = super().init()
        # The first order of a customer entity, and the order flagged so far, each
        # one index probe away, however many orders the entity has.
        create_index(
            self.env.cr,
            "sale_order_okr_first_order_index",
            self._table,
            ["company_id", "okr_commercial_partner_id", "okr_confirmed_at", "id"],
            where="state = 'sale'",
        )
        create_index(
            self.env.cr,
            "sale_order_okr_first_order_flag_index",
            self._table,
            ["company_id", "okr_commercial_partner_id"],
            where="okr_is_first_order",
        )
        # Metric windows: one company's orders confirmed or delivered in a
        # window, and its late open orders, without reading the others.
        for column in ("okr_confirmed_at", "okr_delivered_at"):
            create_index(
                self.env.cr,
                f"sale_order_okr_company_{column}_index",
                self._table,
                ["company_id", column],
            )
        create_index(
            self.env.cr,
            "sale_order_okr_open_promised_date_index",
            self._table,
            ["company_id", "okr_promised_date"],
            where="state = 'sale' AND delivery_status IN ('pending', 'started', "
            "'partial')",
        )
        return res

    @api.depends("create_date", "okr_confirmed_at")
    def _compute_okr_confirmation_hours(self):
        for order in self:
            order.okr_confirmation_hours = _hours_between(
                order.create_date, order.okr_confirmed_at
            )

    @api.depends(
        "picking_ids.okr_is_delivery", "picking_ids.state", "picking_ids.date_done"
    )
    def _compute_okr_delivered_at(self):
        for order in self:
            deliveries = order.picking_ids.filtered("okr_is_delivery")
            done = deliveries.filtered(lambda picking: picking.state == "done")
            is_complete = done and all(
                picking.state in ("done", "cancel") for picking in deliveries
            )
            order.okr_delivered_at = (
                max(done.mapped("date_done"), default=False) if is_complete else False
            )

    @api.depends("okr_confirmed_at", "okr_delivered_at")
    def _compute_okr_fulfilment_hours(self):
        for order in self:
            order.okr_fulfilment_hours = _hours_between(
                order.okr_confirmed_at, order.okr_delivered_at
            )

    @api.depends("picking_ids.okr_is_return", "picking_ids.state")
    def _compute_okr_has_return(self):
        for order in self:
            order.okr_has_return = any(
                picking.okr_is_return and picking.state == "done"
                for picking in order.picking_ids
            )

    @api.depends("okr_cancelled_after_confirmation", "okr_has_return")
    def _compute_okr_is_error(self):
        for order in self:
            order.okr_is_error = (
                order.okr_cancelled_after_confirmation or order.okr_has_return
            )

    @api.depends("amount_untaxed", "currency_rate")
    def _compute_okr_amount_company(self):
        for order in self:
            # currency_rate converts the company currency into the order's.
            rate = order.currency_rate or 1.0
            order.okr_amount_company = order.amount_untaxed / rate

    @api.depends("tag_ids")
    def _compute_okr_has_complaint(self):
        tagged = self.filtered("tag_ids")
        (self - tagged).okr_has_complaint = False
        if not tagged:
            return  # most orders: not even a lookup of the tag
        complaint = self.env.ref(
            "okr_order_management.crm_tag_complaint", raise_if_not_found=False
        )
        for order in tagged:
            order.okr_has_complaint = bool(complaint) and complaint in order.tag_ids

    @api.depends("commitment_date", "expected_date")
    def _compute_okr_promised_date(self):
        for order in self:
            order.okr_promised_date = order.commitment_date or order.expected_date

    @api.model_create_multi
    def create(self, vals_list):
        refuse_order_facts(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        refuse_order_facts(self, [vals])
        seen = SEEN_FIELDS.keys() & vals.keys()
        changed = self.filtered("okr_confirmed_at") if seen else self.browse()
        # A change of customer may move the first orders of two customer entities.
        entities = changed._okr_entities() if "partner_id" in vals else set()
        since = changed._okr_confirmed_since()
        res = super().write(vals)
        if changed:
            model_names = sorted({name for f in seen for name in SEEN_FIELDS[f]})
            changed._okr_changed(entities, since=since, model_names=model_names)
        return res

    def action_confirm(self):
        res = super().action_confirm()
        # sudo: order facts are the addon's (refuse_order_facts); still
        # pending with the new state, the same UPDATE writes them.
        self.sudo().write(
            {
                "okr_confirmed_at": fields.Datetime.now(),
                "okr_cancelled_after_confirmation": False,
            }
        )
        self._okr_changed()
        return res

    def _action_cancel(self):
        confirmed = self.filtered("okr_confirmed_at")
        since = confirmed._okr_confirmed_since()
        res = super()._action_cancel()
        if confirmed:
            # Still pending with the new state: the same UPDATE writes both.
            confirmed.sudo().write({"okr_cancelled_after_confirmation": True})
            confirmed._okr_changed(since=since)
        return res

    def _okr_confirmed_since(self):
        """The earliest confirmation of these orders: the windows they count in."""
        return min(filter(None, self.mapped("okr_confirmed_at")), default=None)

    def _okr_changed(self, entities=(), since=None, model_names=("sale.order",)):
        """These orders changed in a way their key results may see: flag the
        first orders of their customer entities (and of ``entities``, the
        (company id, customer entity id) pairs they had before), then ask for
        a recompute of the metrics over ``model_names`` (orders, unless the
        change shows in their deliveries or ratings too) of their companies,
        in the windows from ``since`` (the earliest date of the orders that
        changed, when older than now).

        The one place that every change of an order calls.
        """
        entities = set(entities) | self._okr_entities()
        self._okr_flag_first_orders(entities)
        company_ids = {company_id for company_id, _entity in entities}
        company_ids.update(self.company_id.ids)
        self.env["okr.key.result"]._okr_request_recompute(
            model_names=list(model_names), company_ids=sorted(company_ids), since=since
        )

    def _okr_entities(self):
        """The (company id, customer entity id) pairs of the orders in ``self``."""
        return {
            (order.company_id.id, order.okr_commercial_partner_id.id)
            for order in self
            if order.okr_commercial_partner_id
        }

    @api.model
    def _okr_flag_first_orders(self, entities):
        """Flag the first order of these customer entities ((company id,
        customer entity id) pairs): one set-based UPDATE, as a confirmation, a
        cancellation or a change of customer may move the first order of an
        entity to another of its orders."""
        if not entities:
            return
        self.flush_model(FIRST_ORDER_INPUTS)
        self.env.cr.execute(_first_order_update_sql(entities))
        if self.env.cr.rowcount:
            self.invalidate_model(["okr_is_first_order"], flush=False)


def _first_order_update_sql(entities):
    """The UPDATE that flags the first orders of customer entities.

    The first order of a customer entity (a commercial partner) in a company is
    its earliest confirmed order that is not cancelled, by confirmation time then
    id. ``entities`` are the (company id, entity id) pairs to look at. Only rows
    whose flag changes are written.
    """
    company_ids, partner_ids = zip(*sorted(entities), strict=True)
    entity = SQL(
        """SELECT *
             FROM unnest(%s::int[], %s::int[])
               AS entity(company_id, okr_commercial_partner_id)""",
        list(company_ids),
        list(partner_ids),
    )
    return SQL(
        """
        WITH entity AS (%(entity)s),
        first_order AS (
            SELECT first_order.id
              FROM entity
              CROSS JOIN LATERAL (
                    SELECT so.id
                      FROM sale_order so
                     WHERE so.state = 'sale'
                       AND so.company_id = entity.company_id
                       AND so.okr_commercial_partner_id
                           = entity.okr_commercial_partner_id
                     ORDER BY so.okr_confirmed_at, so.id
                     LIMIT 1
                   ) first_order
        ),
        flagged AS (
            SELECT so.id
              FROM entity
              JOIN sale_order so
                ON so.company_id = entity.company_id
               AND so.okr_commercial_partner_id = entity.okr_commercial_partner_id
             WHERE so.okr_is_first_order
        )
        UPDATE sale_order so
           SET okr_is_first_order = so.id IN (SELECT id FROM first_order)
         WHERE so.id IN (SELECT id FROM first_order UNION SELECT id FROM flagged)
           AND so.okr_is_first_order IS DISTINCT FROM
               (so.id IN (SELECT id FROM first_order))
        """,
        entity=entity,
    )
