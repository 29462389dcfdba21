from odoo import models


class StockPicking(models.Model):
    """A delivery shows the key results it counts towards."""

    # Apart from the order facts (stock_picking.py), as an order's are.
    _name = "stock.picking"
    _inherit = ["stock.picking", "okr.counted.mixin"]
