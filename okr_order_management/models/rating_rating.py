from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .order_facts import refuse_order_facts

#: What a customer's rating of an order is: its value, whether it was given,
#: whom it is about and who gave it. Only the customer sets them.
RATING_FIELDS = frozenset(
    {"rating", "consumed", "res_model_id", "res_model", "res_id", "partner_id"}
)


class RatingRating(models.Model):
    """A customer's rating of a sale order, with the order facts that the
    customer satisfaction metric counts it by: its company, sales team,
    salesperson, warehouse and when the customer rated.

    Ratings have no company of their own: ``_okr_company_field`` tells the
    metric engine which field places them in a company.
    """

    _inherit = "rating.rating"
    _okr_company_field = "okr_company_id"

    # The token of the public rating page rates as the customer: whoever reads
    # it could rate for them. Odoo's own flows read it as the superuser.
    access_token = fields.Char(groups="base.group_system")

    okr_sale_order_id = fields.Many2one(
        "sale.order",
        string="Rated Sale Order",
        compute="_compute_okr_sale_order_id",
        store=True,
        index="btree_not_null",
        readonly=True,
        help="The sale order this rating is about.",
    )
    okr_company_id = fields.Many2one(
        related="okr_sale_order_id.company_id",
        string="Sale Order Company",
        store=True,
        readonly=True,
        index="btree_not_null",
    )
    okr_team_id = fields.Many2one(
        related="okr_sale_order_id.team_id",
        string="Sales Team",
        store=True,
        readonly=True,
    )
    okr_salesperson_id = fields.Many2one(
        related="okr_sale_order_id.user_id",
        string="Salesperson",
        store=True,
        readonly=True,
    )
    okr_warehouse_id = fields.Many2one(
        related="okr_sale_order_id.warehouse_id",
        string="Warehouse",
        store=True,
        readonly=True,
    )
    okr_rated_at = fields.Datetime(
        string="Rated On",
        copy=False,
        readonly=True,
        index=True,
        help="When the customer last gave this rating: the date that places it "
        "in a key result's window.",
    )

    def init(self):
        res = super().init()
        # Ratings of orders given before the addon was installed count on the
        # day they were last written: the day the customer rated, for Odoo.
        self.env.cr.execute(
            SQL(
                "UPDATE rating_rating SET okr_rated_at = write_date"
                " WHERE consumed AND okr_rated_at IS NULL AND res_model = 'sale.order'"
            )
        )
        return res

    @api.depends("res_model", "res_id")
    def _compute_okr_sale_order_id(self):
        for rating in self:
            rating.okr_sale_order_id = (
                rating.res_id if rating.res_model == "sale.order" else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        refuse_order_facts(self, vals_list)
        order_model = self.env["ir.model"]._get_id("sale.order")
        self._okr_check_rater(
            any(
                vals.get("consumed")
                and (
                    vals.get("res_model_id") == order_model
                    or vals.get("res_model") == "sale.order"
                )
                for vals in vals_list
            )
        )
        now = fields.Datetime.now()
        vals_list = [
            dict(vals, okr_rated_at=now) if vals.get("consumed") else vals
            for vals in vals_list
        ]
        ratings = super().create(vals_list)
        ratings._okr_changed()
        return ratings

    def write(self, vals):
        refuse_order_facts(self, [vals])
        rating_changed = RATING_FIELDS & vals.keys()
        if rating_changed:
            self._okr_check_rater(bool(self.okr_sale_order_id))
        res = super().write(vals)
        if rating_changed:
            self._okr_check_rater(bool(self.okr_sale_order_id))
            # When the customer last gave their rating: the day it counts on.
            consumed = self.filtered("consumed")
            super(RatingRating, consumed).write({"okr_rated_at": fields.Datetime.now()})
            super(RatingRating, (self - consumed).filtered("okr_rated_at")).write(
                {"okr_rated_at": False}
            )
            self._okr_changed()
        return res

    def _okr_check_rater(self, rates_orders):
        """A rating of a sale order is its customer's: given on Odoo's public
        rating page (a visitor, or a portal user), or set by the system or an
        administrator. An employee's session, even through a method that runs
        as the superuser, may neither rate an order nor move a rating to or
        from one: customer satisfaction counts these ratings."""
        user = self.env.user
        if (
            not rates_orders
            or self.env.uid == SUPERUSER_ID
            or user.share
            or user.has_group("base.group_system")
        ):
            return
        raise UserError(
            self.env._(
                "Ratings of sale orders are given by the customers, from the link "
                "in their rating request: %(user)s cannot give, change or move one.",
                user=user.name,
            )
        )

    def _okr_changed(self):
        """Customers rated orders: ask for a recompute of the metrics over
        ratings of their companies."""
        companies = self.filtered("consumed").okr_company_id
        if companies:
            self.env["okr.key.result"]._okr_request_recompute(
                model_names=["rating.rating"], company_ids=sorted(companies.ids)
            )
