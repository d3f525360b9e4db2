"""The demo's made-up answers: the grants question is there to try agree/disagree from a code
frame, so its frame must mark reasons on both sides and its answers must argue both ways."""

from cohesion.consultations import demo, services
from cohesion.text.stance import sided_frame


def test_the_grants_code_frame_marks_reasons_for_and_against():
    frame = services.code_frame_parse(text=demo.GRANTS_FRAME)
    assert sided_frame(frame) is not None
    assert {side for _n, _d, side in frame} == {"for", "against"}
    assert [name for name, _d, _s in frame] == list(demo.GRANT_REASONS)


def test_grant_answers_argue_both_ways_and_some_weigh_both_sides():
    answers = demo.grant_answers(360, seed=5)
    assert answers == demo.grant_answers(360, seed=5)  # the same demo every time
    share = sum(a.agrees for a in answers) / len(answers)
    assert 0.4 < share < 0.7
    both = [a for a in answers if ", but " in a.text]
    assert 20 < len(both) < 120
    for answer in answers:
        side = demo.GRANT_REASONS[answer.theme][0]
        assert (side == "for") == answer.agrees
