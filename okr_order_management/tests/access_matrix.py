"""Who may create, read, write and unlink the records of every model of the
addon: the README's access table (readme/CONFIGURE.md, "Access") as data.

``test_okr_access_matrix`` tries every cell as that user, through the ORM and
through JSON-RPC, and fails when a model of the addon has no row here.
"""

#: The profiles, in the order of the columns. There is no internal user
#: without an OKR group: ``base.group_user`` implies *OKR / User*.
PROFILES = {
    "user": "OKR / User (every internal user)",
    "manager": "OKR / Manager",
    "portal": "Portal user",
    "public": "Public user",
    "other_company": "OKR / User of another company",
}

#: What the records of a row are, seen from the user trying them: (label,
#: footnote). Creating means creating such a record exactly as asked: a
#: record created in another's name or as automatic is refused, even when the
#: addon only rewrites its author or source. The records are of the first
#: company, so that the user of another company tries them across companies.
SUBJECTS = {
    "own": (
        "own",
        "theirs: the objective they own, the key result they own in a "
        "colleague's objective, the check-in they wrote on their key result, "
        "the wizard they opened",
    ),
    "colleague": (
        "a colleague's",
        "another user's of the company: owned, written or opened by them; "
        "creating one is creating it in their name",
    ),
    "of_own_objective": (
        "of own objective",
        "a colleague's key result in an objective they own",
    ),
    "own_on_colleague_kr": (
        "own, on a colleague's key result",
        "a check-in they wrote on a colleague's key result; creating one is "
        "checking in on it",
    ),
    "automatic": (
        "automatic",
        "a check-in on their key result written by the recompute",
    ),
    "company": ("of the company", "of the first company"),
    "shared": ("shared", "shared by every company (no company set)"),
    "any": ("any", "any record: no owner, no company rule"),
}

#: model: {subject: letters allowed, by profile in PROFILES order}
MATRIX = {
    "okr.objective": {
        "own": ("crwu", "crwu", "", "", ""),
        "colleague": ("r", "crwu", "", "", ""),
    },
    "okr.key.result": {
        "own": ("rw", "crwu", "", "", ""),
        "of_own_objective": ("crwu", "crwu", "", "", ""),
        "colleague": ("r", "crwu", "", "", ""),
    },
    "okr.checkin": {
        "own": ("crwu", "crwu", "", "", ""),
        "own_on_colleague_kr": ("rwu", "crwu", "", "", ""),
        "colleague": ("r", "r", "", "", ""),
        "automatic": ("r", "r", "", "", ""),
    },
    "okr.cycle": {
        "company": ("r", "crwu", "", "", ""),
    },
    "okr.tag": {
        "any": ("r", "crwu", "", "", "r"),
    },
    "okr.metric": {
        "company": ("r", "crwu", "", "", ""),
        "shared": ("r", "crwu", "", "", "r"),
    },
    "okr.cycle.generate": {
        "own": ("", "crwu", "", "", ""),
        "colleague": ("", "rwu", "", "", ""),
    },
    "okr.recompute.request": {
        "any": ("", "r", "", "", ""),
    },
    "okr.cycle.close": {
        "own": ("", "crwu", "", "", ""),
        "colleague": ("", "rwu", "", "", ""),
    },
    "okr.cycle.close.line": {
        "own": ("", "crwu", "", "", ""),
        "colleague": ("", "rwu", "", "", ""),
    },
}

#: The core models the addon adds ``okr_`` fields to, and the group that must
#: read them. (It extends ``res.partner`` too, with no field.)
CORE_MODEL_READERS = {
    "sale.order": "sales_team.group_sale_salesman",
    "stock.picking": "stock.group_stock_user",
    "res.company": "base.group_user",
    "res.config.settings": "base.group_system",
    "project.task": "project.group_project_user",
    "rating.rating": "base.group_user",
}

#: The ``okr_`` fields of core models that their users set, with the model's
#: own rights plus the addon's rules (a task's key result must be readable
#: and of its company); the others are written by the addon only.
CORE_MODEL_USER_FIELDS = {
    "project.task": {"okr_key_result_id", "okr_department_id"},
}


def allowed(model, subject, profile):
    """The operations (a string of ``crwu`` letters) the table allows."""
    return MATRIX[model][subject][list(PROFILES).index(profile)]
