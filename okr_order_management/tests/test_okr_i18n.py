from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = Path(__file__).parent.parent / "i18n"


@tagged("post_install", "-at_install")
class TestOkrTranslations(TransactionCase):
    """Simplified Chinese is a first-class language: no string goes without it."""

    def test_zh_cn_translates_every_term(self):
        translated = {
            entry.msgid
            for entry in polib.pofile(str(I18N / "zh_CN.po"))
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
        }
        reader = TranslationModuleReader(self.env.cr, modules=["okr_order_management"])
        terms = {source for _module, _type, _name, _id, source, *_rest in reader}
        self.assertTrue(terms, "Odoo exported no term of the addon")
        missing = "\n".join(sorted(terms - translated))
        self.assertFalse(
            missing,
            "Terms without a zh_CN translation: export the .pot again and "
            f"translate them in i18n/zh_CN.po:\n{missing}",
        )

    def test_zh_cn_translates_every_place_of_a_term(self):
        """A view's term is translated where the .po says it is: the same
        words in a new view need the .po merged with a fresh export."""
        translated = {
            (occurrence, entry.msgid)
            for entry in polib.pofile(str(I18N / "zh_CN.po"))
            if entry.msgstr and not entry.obsolete
            for occurrence, _line in entry.occurrences
        }
        reader = TranslationModuleReader(self.env.cr, modules=["okr_order_management"])
        places = {
            (f"{kind}:{name}:{res_id}", source)
            for _module, kind, name, res_id, source, *_rest in reader
            if kind == "model_terms"
        }
        missing = "\n".join(
            f"{place}: {source}" for place, source in sorted(places - translated)
        )
        self.assertFalse(
            missing,
            "Terms of views not translated in these views: export the .pot "
            f"again and merge it into i18n/zh_CN.po:\n{missing}",
        )
