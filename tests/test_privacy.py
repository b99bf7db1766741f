import numpy as np
import pandas as pd
import pytest

from samverkan.privacy import contains_personal_number, mask_personal_numbers, personal_number_mask
from samverkan.synth import fake_personal_number


@pytest.mark.parametrize("value", ["811218-9876", "8112189876", "198112189876", "19811218-9876",
                                   "811218+9876", "811278-9873", "i texten 811218-9876 står det"])
def test_personal_numbers_are_found(value: str) -> None:
    assert contains_personal_number(value)


@pytest.mark.parametrize("value", ["811218-9875",  # wrong check digit
                                   "811318-9876",  # month 13
                                   "P-ABC1234-17", "SF01-P003", "2024-05-20", "12345", "0701234567"])
def test_other_values_are_not(value: str) -> None:
    assert not contains_personal_number(value)


def test_generated_numbers_pass_and_are_masked() -> None:
    rng = np.random.default_rng(3)
    values = [fake_personal_number(rng, twelve_digits=bool(i % 2), separator=("-", "", "+")[i % 3],
                                   coordination=i % 4 == 0) for i in range(60)]
    assert personal_number_mask(pd.Series(values)).all()
    for value in values:
        masked = mask_personal_numbers(value)
        assert not any(ch.isdigit() for ch in masked[2:]), masked
