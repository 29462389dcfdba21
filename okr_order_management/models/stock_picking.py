from odoo import api, fields, models
from odoo.tools.sql import create_index

from ..measure import company_tz, local_day
from .order_facts import refuse_order_facts


class StockPicking(models.Model):
    _inherit = "stock.picking"

    okr_is_delivery = fields.Boolean(
        string="Customer Delivery",
        compute="_compute_okr_is_delivery",
        store=True,
        copy=False,
        readonly=True,
        index=True,
        help="An outgoing delivery that is not a return.",
    )
    okr_is_return = fields.Boolean(
        string="Return of a Delivery",
        compute="_compute_okr_is_return",
        store=True,
        copy=False,
        readonly=True,
        index=True,
        help="A return of an outgoing delivery.",
    )
    okr_deadline = fields.Datetime(
        string="Effective Deadline",
        compute="_compute_okr_deadline",
        store=True,
        copy=False,
        readonly=True,
        help="The delivery date promised to the customer on the order, else the "
        "deadline of the transfer, else its scheduled date: validated on or "
        "before that day, the transfer is on time.",
    )
    okr_on_time = fields.Boolean(
        string="On Time",
        compute="_compute_okr_on_time",
        store=True,
        copy=False,
        readonly=True,
        help="Validated on or before the day of its effective deadline, in the "
        "timezone of the company.",
    )
    okr_has_backorder = fields.Boolean(
        string="Left a Backorder",
        compute="_compute_okr_has_backorder",
        store=True,
        copy=False,
        readonly=True,
        help="Validated in part: the rest went to a backorder.",
    )
    okr_team_id = fields.Many2one(
        related="sale_id.team_id",
        string="Sales Team of the Order",
        store=True,
        copy=False,
        readonly=True,
        index=True,
    )
    okr_salesperson_id = fields.Many2one(
        related="sale_id.user_id",
        string="Salesperson of the Order",
        store=True,
        copy=False,
        readonly=True,
        index=True,
    )
    okr_warehouse_id = fields.Many2one(
        related="picking_type_id.warehouse_id",
        string="Warehouse of the Operation",
        store=True,
        copy=False,
        readonly=True,
        index=True,
    )

    def init(self):
        res = super().init()
        # Delivery metrics place one company's transfers in a window by their
        # validation date: read those, not every transfer of the company.
        create_index(
            self.env.cr,
            "stock_picking_okr_company_date_done_index",
            self._table,
            ["company_id", "date_done"],
        )
        return res

    @api.depends("picking_type_id.code", "return_id")
    def _compute_okr_is_delivery(self):
        for picking in self:
            picking.okr_is_delivery = (
                picking.picking_type_id.code == "outgoing" and not picking.return_id
            )

    @api.depends("return_id.picking_type_id.code")
    def _compute_okr_is_return(self):
        for picking in self:
            picking.okr_is_return = picking.return_id.picking_type_id.code == "outgoing"

    @api.depends("sale_id.commitment_date", "date_deadline", "scheduled_date")
    def _compute_okr_deadline(self):
        for picking in self:
            picking.okr_deadline = (
                picking.sale_id.commitment_date
                or picking.date_deadline
                or picking.scheduled_date
            )

    @api.depends("state", "date_done", "okr_deadline", "company_id.partner_id.tz")
    def _compute_okr_on_time(self):
        for picking in self:
            tz = company_tz(picking.company_id)
            picking.okr_on_time = bool(
                picking.state == "done"
                and picking.date_done
                and picking.okr_deadline
                and local_day(picking.date_done, tz)
                <= local_day(picking.okr_deadline, tz)
            )

    @api.depends("backorder_ids")
    def _compute_okr_has_backorder(self):
        for picking in self:
            picking.okr_has_backorder = bool(picking.backorder_ids)

    @api.model_create_multi
    def create(self, vals_list):
        refuse_order_facts(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        refuse_order_facts(self, [vals])
        return super().write(vals)

    def _action_done(self):
        res = super()._action_done()
        if self:  # button_validate also calls it on no transfer
            self._okr_changed()
        return res

    def _okr_changed(self):
        """These transfers were validated: ask for a recompute of the metrics
        over transfers, orders and stock valuation of their companies.

        The facts of their orders (delivered, returned) are stored computed
        fields that follow by themselves; their first orders do not change.
        """
        self.env["okr.key.result"]._okr_request_recompute(
            model_names=["stock.picking", "sale.order", "stock.valuation.layer"],
            company_ids=sorted(set(self.company_id.ids)),
        )
