def missing_next_year_notice(*, tenant):
    return None
