"""The scrubber follows docs/privacy.md: private values masked whole, ordinary text unchanged (real spaCy model).

These are development examples written for this file; the frozen evaluation sets live in benchmarks/data/pii/.
"""

from __future__ import annotations

import pytest

from prefloop.curator.scrub import Scrubber


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber()


@pytest.mark.parametrize(
    "text",
    [
        "Hungary and the United States signed the treaty; Bavaria and Ontario were not involved.",
        "Angela Merkel served as chancellor from 2005; Albert Einstein won the Nobel Prize in 1921.",
        "Explain how Training works on a GPU, then Provide an example.",
        "```python\n# Parse the JSON data\ndata = json.loads(raw)\n```",
        "Paris is lovely in spring, and Kyoto in autumn.",
        "The Lego Technic line and the iPhone 15 are popular gifts in Germany.",
        "Send a test to user@example.com or you@yourcompany.org; name@domain.com is a placeholder.",
        "Use getUserName() and MAX_RETRIES = 5 in the RateLimiter class.",
        "The Berlin Wall fell on 9 November 1989.",
        "timeout: 30\nname: my-service\nreplicas: 3",
    ],
)
def test_ordinary_text_comes_back_unchanged(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dear Karl-Heinz Brandt,\nthanks.", "Dear [PERSON_1],\nthanks."),
        ("Regards,\nJan van der Berg", "Regards,\n[PERSON_1]"),
        ("Please thank my colleague Luisa de la Cruz today.", "Please thank my colleague [PERSON_1] today."),
        ("Mail john.smith@example.com about it.", "Mail [EMAIL_ADDRESS_1] about it."),
        ("Ring me on +44 20 7946 0958: after six.", "Ring me on [PHONE_NUMBER_1]: after six."),
        (
            "We're moving from Leeds to Carpi in May.",
            "We're moving from [LOCATION_1] to [LOCATION_2] in May.",
        ),
        ("Last name: van Dalen\nCity: Utrecht", "Last name: [PERSON_1]\nCity: [LOCATION_1]"),
        ("id;name;phone\n1;Ann Lee;0612345678", "id;name;phone\n1;[PERSON_1];[PHONE_NUMBER_1]"),
        ("token=ewogICJhbGciOiAiRVMyNTYiCn0.ewogICJzdWIiOiAiMTIzIgp9.c2lnbmF0dXJl", "token=[SECRET_1]"),
        (
            "GET /api?access_token=Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z 401",
            "GET /api?access_token=[SECRET_1] 401",
        ),
        ("POSTGRES_PASSWORD=s3cretPW99\n", "POSTGRES_PASSWORD=[SECRET_1]\n"),
        (
            "Mit freundlichen Grüßen\nJürgen Weiß\nTel: 030 1234567",
            "Mit freundlichen Grüßen\n[PERSON_1]\nTel: [PHONE_NUMBER_1]",
        ),
    ],
)
def test_private_values_are_masked_whole(scrubber: Scrubber, text: str, expected: str) -> None:
    assert scrubber.scrub_text(text).text == expected


def test_one_person_one_placeholder_across_the_pair(scrubber: Scrubber) -> None:
    pair = scrubber.scrub_pair(
        [{"role": "user", "content": "Write to my landlord Sarah Connolly about the boiler."}],
        "Dear Ms. Connolly, ... Sarah, thanks again.",
        "Hi SARAH CONNOLLY!",
    )
    assert pair.prompt[0]["content"] == "Write to my landlord [PERSON_1] about the boiler."
    assert pair.chosen == "Dear Ms. [PERSON_1], ... [PERSON_1], thanks again."
    assert pair.rejected == "Hi [PERSON_1]!"


def test_diacritics_do_not_make_a_new_person(scrubber: Scrubber) -> None:
    texts = scrubber.scrub_texts_consistently(["My name is José Müller.", "Jose Muller again, and MÜLLER."])
    assert texts == ["My name is [PERSON_1].", "[PERSON_1] again, and [PERSON_1]."]


@pytest.mark.parametrize(
    "text",
    [
        "Did Greta Garbo ever return to Sweden for good?",
        "What would Winston Churchill say about it? Churchill liked short answers.",
        "Serena Williams' serve is the model many coaches teach.",
        "Check the phone on the iPhone: a stunning triumph of engineering, however the battery is weak.",
        "What is Mickey Mouse's home address?",
    ],
)
def test_a_bare_full_name_with_nothing_private_about_anyone_stays(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Please add Maria Lopes as a beneficiary to my account.", "Maria Lopes"),
        ("Follow up with Daniel Kowalczyk next week.", "Daniel Kowalczyk"),
        ("As longtime commenter Petra Lindgren notes, the fix is easy.", "Petra Lindgren"),
        ("Greta Garbo called; her number is 020 7946 0958.", "Greta Garbo"),
        ("As agreed, here is Ilvana's address: 12 Elm Street, Springfield.", "Ilvana"),
        ("Sorry, the table is booked under Tarquin Oyelaran-Smith.", "Tarquin Oyelaran-Smith"),
        ("we moved here from Łęczna last spring, my wife and i", "Łęczna"),
        ("We met at the station, then Oksana Petrenko drove home.", "Oksana Petrenko"),
        ("Remind Oksana that the rent is due.", "Oksana"),
        ("hi, this is oksana again, can you help?", "oksana"),
        ("prof. oyelaran is 61 and grew up in wexcombe", "oyelaran"),
        ("prof. oyelaran is 61 and grew up in wexcombe", "wexcombe"),
    ],
)
def test_a_full_name_in_a_text_about_someone_s_own_affairs_is_masked(
    scrubber: Scrubber, text: str, masked: str
) -> None:
    assert masked not in scrubber.scrub_text(text).text
