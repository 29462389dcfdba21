from odoo import models


class IrModel(models.Model):
    _inherit = "ir.model"

    def unlink(self):
        # Before the rows go: the metrics reading these models are archived.
        self.env["okr.metric"]._archive_readers_of(removed_models=self)
        return super().unlink()


class IrModelFields(models.Model):
    _inherit = "ir.model.fields"

    def unlink(self):
        # Before the rows go: the metrics reading these fields are archived.
        self.env["okr.metric"]._archive_readers_of(removed_fields=self)
        return super().unlink()
