"""Bad-input cases of the plausibility rules (issue 17, item 3), kept apart from ``corpus.py`` to ease merging.

Implausible enrolments and support extents are quarantined; the matching GX expectations (generated from the
same rules) must flag exactly those rows. Large amounts are findings, not quarantines, and are tested in
``tests/test_plausible_values.py`` (the corpus test expects a check without bad rows to pass).
"""

from __future__ import annotations

from bad_inputs.corpus import GOOD, Case, participants_csv, person

P = "participants.csv"

PLAUSIBLE_CASES: list[Case] = [
    Case("enrolled_at_fourteen", "participants",
         {P: participants_csv(person(birth="2000", enrolled="2014-08-01", exited="2015-01-31"),
                              person("P-AAA2", birth="2000", enrolled="2015-01-01", exited="2015-06-30"), GOOD)},
         rows=3, bad={(P, 2): "enrolment"}),
    Case("enrolled_in_1900", "participants", {P: participants_csv(person(enrolled="1900-01-01"), GOOD)},
         rows=2, bad={(P, 2): "enrolment"}),
    Case("enrolled_before_finsam", "participants",
         {P: participants_csv(person(birth="1970", enrolled="2003-12-31"),
                              person("P-AAA2", birth="1970", enrolled="2004-01-01"), GOOD)},
         rows=3, bad={(P, 2): "enrolment"}),
    Case("enrolled_before_birth", "participants",
         {P: participants_csv(person(birth="2005", enrolled="2004-03-01"), GOOD)},
         rows=2, bad={(P, 2): "enrolment"}),
    Case("support_400_percent", "participants",
         {P: participants_csv(person(before="lon|sjukersattning|a_kassa|annan"), GOOD)},
         rows=2, bad={(P, 2): "support_sum"}),
    Case("support_after_over_100", "participants",
         {P: participants_csv(person(after="lon|sjukpenning:25"), GOOD)},
         rows=2, bad={(P, 2): "support_sum"}),
    Case("support_topup_not_counted", "participants",
         {P: participants_csv(person(before="forsorjningsstod|sjukpenning:50|aktivitetsstod:50"), GOOD)}, rows=2),
    Case("ingen_beside_a_benefit", "participants",
         {P: participants_csv(person(before="ingen|forsorjningsstod"), person("P-AAA2", before="ingen"), GOOD)},
         rows=3, bad={(P, 2): "support_none_with_other"}),
    Case("ingen_after_with_wage", "participants",
         {P: participants_csv(person(after="lon:50|ingen:50"), GOOD)},
         rows=2, bad={(P, 2): "support_none_with_other"}),
]
