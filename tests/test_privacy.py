import numpy as np
import pandas as pd
import pytest

from samverkan.privacy import (
    PersonalNumberError,
    contains_personal_number,
    last_gate,
    last_gate_frame,
    mask_personal_numbers,
    personal_number_mask,
    shown_file_name,
)
from samverkan.synth import fake_personal_number

# 811218-9876 has a valid Luhn digit; every form below writes that number (or its samordningsnummer 811278-9873).
TYPED_FORMS = {
    "dash": "811218-9876",
    "plain": "8112189876",
    "twelve": "198112189876",
    "twelve dash": "19811218-9876",
    "plus (over 100)": "811218+9876",
    "samordningsnummer": "811278-9873",
    "in a sentence": "i texten 811218-9876 står det",
    "space": "811218 9876",
    "no-break space": "811218\u00a09876",
    "narrow no-break space": "811218\u202f9876",
    "en dash with spaces": "811218 \u2013 9876",
    "em dash": "811218\u20149876",
    "minus sign": "811218\u22129876",
    "non-breaking hyphen": "811218\u20119876",
    "hyphen": "811218\u20109876",
    "figure dash": "811218\u20129876",
    "zero-width space": "8112\u200b18-9876",
    "soft hyphen": "811218\u00ad9876",
    "word joiner and tab": "811218\u2060\t9876",
    "dashed date": "1981-12-18-9876",
    "spaced date": "81 12 18 9876",
    "full-width digits": "\uff18\uff11\uff11\uff12\uff11\uff18\uff0d\uff19\uff18\uff17\uff16",
    "arabic-indic digits": "\u0668\u0661\u0661\u0662\u0661\u0668-\u0669\u0668\u0667\u0666",
    "underscore in a file name": "deltagare_811218_9876.csv",
    "glued to letters": "ID811218-9876x",
    "quoted in a message": "okänd kod '811218 9876'",
}


@pytest.mark.parametrize("form", sorted(TYPED_FORMS))
def test_personal_numbers_are_found_however_typed(form: str) -> None:
    value = TYPED_FORMS[form]
    assert contains_personal_number(value)
    masked = mask_personal_numbers(value)
    assert not contains_personal_number(masked)
    # Nothing of the number is left but (for 12 digits) the century.
    digits = "".join(ch for ch in masked if ch.isdigit())
    assert digits in ("", "19"), masked


def test_mask_keeps_the_text_around_the_number() -> None:
    assert mask_personal_numbers("okänd kod '811218 9876'") == "okänd kod 'XXXXXX-XXXX'"
    assert mask_personal_numbers("Beslut 1981-12-18-9876 i KS") == "Beslut 19XXXXXX-XXXX i KS"
    assert mask_personal_numbers("811218+9876") == "XXXXXX+XXXX"
    assert mask_personal_numbers("a 8112\u200b18-9876 b") == "a XXXXXX-XXXX b"


@pytest.mark.parametrize("value", [
    "811218-9875",  # wrong check digit: still someone's number, mistyped
    "0701234567",  # a mobile number with a real date part (2007-01-23): personal data as well
])
def test_a_failing_check_digit_is_still_masked(value: str) -> None:
    assert contains_personal_number(value)


@pytest.mark.parametrize("value", [
    "811318-9876",  # month 13
    "811232-9876",  # day 32
    "811292-9876",  # day 92 (samordningsnummer days end at 91)
    "P-ABC1234-17", "SF01-P003", "2024-05-20", "12345", "1 250 000,50", "811218-98765",
    "2021-01-01–2023-12-31",  # a period, not a date and four digits
    "Projekt 2021-01-01 – 2023-12-31",
    "503141234",  # nine digits: only checked with a restored leading zero, see below
])
def test_other_values_are_not(value: str) -> None:
    assert not contains_personal_number(value)


def test_a_lost_leading_zero_is_restored_in_identifier_columns() -> None:
    # 0503141236: born 2005-03-14, valid Luhn digit; Excel stores it as the number 503141236.
    assert contains_personal_number("0503141236")
    assert contains_personal_number("503141236", restore_leading_zero=True)
    assert mask_personal_numbers("503141236", restore_leading_zero=True) == "XXXXXXXXX"
    # With the wrong check digit a 9-digit number is just a number (a count, an order number).
    assert not contains_personal_number("503141234", restore_leading_zero=True)
    # Not a real date with the zero put back (month 00).
    assert not contains_personal_number("100000123", restore_leading_zero=True)
    series = pd.Series(["503141236", "P-1", None])
    assert personal_number_mask(series, restore_leading_zero=True).tolist() == [True, False, False]
    assert personal_number_mask(series).tolist() == [False, False, False]


def test_generated_numbers_pass_and_are_masked() -> None:
    rng = np.random.default_rng(3)
    values = [fake_personal_number(rng, twelve_digits=bool(i % 2), separator=("-", "", "+")[i % 3],
                                   coordination=i % 4 == 0) for i in range(60)]
    assert personal_number_mask(pd.Series(values)).all()
    for value in values:
        masked = mask_personal_numbers(value)
        assert not any(ch.isdigit() for ch in masked[2:]), masked


def test_file_names_are_shown_masked() -> None:
    assert shown_file_name("participants_811218-9876.csv") == "participants_XXXXXX-XXXX.csv"
    assert shown_file_name("participants_2024.csv") == "participants_2024.csv"


def test_last_gate_masks_and_refuses_what_it_cannot_check() -> None:
    assert last_gate("Kontakt 811218 9876") == "Kontakt XXXXXX-XXXX"
    assert last_gate(None) == ""
    assert last_gate(42) == "42"
    with pytest.raises(PersonalNumberError):
        last_gate(b"811218-9876")


def test_last_gate_frame_masks_text_and_stops_on_numbers() -> None:
    frame = pd.DataFrame({"id": ["811218 9876", "P-1", None], "n": [1, 2, 3],
                          "kind": pd.Categorical(["a", "8112189876", "a"]),
                          "Kolumn 811218-9876": ["x", "y", "z"]})
    out = last_gate_frame(frame)
    assert out["id"].tolist()[:2] == ["XXXXXX-XXXX", "P-1"]
    assert pd.isna(out["id"].iloc[2])
    assert out["kind"].tolist() == ["a", "XXXXXXXXXX", "a"]
    assert out["n"].tolist() == [1, 2, 3]
    assert "Kolumn XXXXXX-XXXX" in out.columns
    assert frame["id"].iloc[0] == "811218 9876"  # the caller's frame is left alone
    # Numbers are amounts unless named as identifiers; a numeric identifier cannot be masked, so the run stops.
    assert last_gate_frame(pd.DataFrame({"n": [8112189876]}))["n"].tolist() == [8112189876]
    with pytest.raises(PersonalNumberError, match="personnummer"):
        last_gate_frame(pd.DataFrame({"id": [8112189876]}), identifier_columns=("id",))
    with pytest.raises(PersonalNumberError, match="personnummer"):
        last_gate_frame(pd.DataFrame({"id": [503141236.0]}), identifier_columns=("id",))
    assert last_gate_frame(pd.DataFrame({"id": [8112189875]}), identifier_columns=("id",))["id"].tolist() == [
        8112189875]
    # An object that is not text cannot be masked inside.
    with pytest.raises(PersonalNumberError, match="inte kan maskeras"):
        last_gate_frame(pd.DataFrame({"x": [{"pnr": "811218-9876"}]}))


def test_digests_are_not_personal_numbers() -> None:
    # A SHA-256 can hold ten decimal digits with a real date; a digest is not text a person typed.
    digest = "3fa0c1e2" + "8112189876" + "ab" * 23
    assert not contains_personal_number(digest)
    assert mask_personal_numbers(digest) == digest
    assert contains_personal_number("ab8112189876cd")  # a short code with the number glued in still is
