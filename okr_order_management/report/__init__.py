from . import okr_review_report
