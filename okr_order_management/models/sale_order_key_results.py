from odoo import models


class SaleOrder(models.Model):
    """An order shows the key results it counts towards."""

    # Apart from the order facts (sale_order.py), as a delivery's are.
    _name = "sale.order"
    _inherit = ["sale.order", "okr.counted.mixin"]
