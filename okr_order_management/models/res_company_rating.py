from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: The longest a rating request may wait after a delivery, in hours (30 days).
MAX_RATING_DELAY_HOURS = 720


class ResCompany(models.Model):
    """Whether the company asks its customers to rate their deliveries, and
    how long after the delivery."""

    # Beside the deliveries' rating requests (stock_picking_rating.py).
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    okr_rating_request = fields.Boolean(
        string="Ask Customers to Rate Deliveries",
        help="After a customer delivery is validated, email the customer a rating "
        "request for the order; the customer satisfaction metric counts the "
        "ratings.",
    )
    okr_rating_delay_hours = fields.Integer(
        string="Rating Request Delay (h)",
        default=24,
        help="How many hours after the validation of a delivery the rating request "
        "is sent.",
    )

    @api.constrains("okr_rating_delay_hours")
    def _check_okr_rating_delay_hours(self):
        for company in self:
            if not 0 <= company.okr_rating_delay_hours <= MAX_RATING_DELAY_HOURS:
                raise ValidationError(
                    self.env._(
                        "Rating Request Delay of %(company)s is %(hours)s hours: set "
                        "it from 0 (at the next run) to %(max)s hours.",
                        company=company.name,
                        hours=company.okr_rating_delay_hours,
                        max=MAX_RATING_DELAY_HOURS,
                    )
                )
