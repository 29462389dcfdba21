from datetime import timedelta

from odoo import fields, models

CRON_XMLID = "okr_order_management.stock_picking_cron_send_okr_rating_requests"
#: The rating requests one run sends; the next run, triggered at once, goes on.
RATING_BATCH = 200


class StockPicking(models.Model):
    """A validated customer delivery asks its customer to rate the order,
    later, from a scheduled action: validating costs one column and a
    trigger, never an email."""

    # Apart from the order facts (stock_picking.py): the customers' side.
    _inherit = "stock.picking"  # pylint: disable=consider-merging-classes-inherited

    okr_rating_request_at = fields.Datetime(
        string="Rating Request Due",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="When the customer is asked to rate the order of this delivery; "
        "empty once asked, or when the company does not ask.",
    )

    def _action_done(self):
        res = super()._action_done()
        asking = self.filtered(
            lambda picking: (
                picking.okr_is_delivery
                and picking.sale_id
                and picking.company_id.okr_rating_request
            )
        )
        if asking:
            asking._okr_schedule_rating_requests()
        return res

    def _okr_schedule_rating_requests(self):
        """Stamp when each delivery's rating request is due, and wake the
        scheduled action then."""
        due_dates = set()
        for company, pickings in self.grouped("company_id").items():
            due = fields.Datetime.now() + timedelta(
                hours=company.okr_rating_delay_hours
            )
            # sudo: order facts are the addon's (refuse_order_facts)
            pickings.sudo().write({"okr_rating_request_at": due})
            due_dates.add(due)
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=min(due_dates))

    def _cron_send_okr_rating_requests(self):
        """Email the rating requests that are due, one order at a time."""
        template = self.env.ref(
            "okr_order_management.mail_template_okr_sale_order_rating_request"
        )
        due = self.search(
            [("okr_rating_request_at", "<=", fields.Datetime.now())],
            order="okr_rating_request_at, id",
            limit=RATING_BATCH + 1,
        )
        for picking in due[:RATING_BATCH]:
            if picking.sale_id.partner_id and picking.company_id.okr_rating_request:
                picking._okr_ask_for_rating(template)
            picking.write({"okr_rating_request_at": False})
        if len(due) > RATING_BATCH:
            self.env.ref(CRON_XMLID)._trigger()

    def _okr_ask_for_rating(self, template):
        """Email the customer the rating request of this delivery's order,
        outside the order's chatter: its links rate as the customer, so only
        the customer gets them. The chatter says who was asked."""
        order = self.sale_id.with_company(self.company_id)
        partner = order._rating_get_partner()
        template.send_mail(
            order.id,
            email_layout_xmlid="mail.mail_notification_light",
            email_values={"model": False, "res_id": False},
        )
        order.message_post(
            body=self.env._("Rating request e-mailed to %s.", partner.display_name),
            subtype_xmlid="mail.mt_note",
        )
