"""Officers type in paper and email responses, and import answers from another survey tool."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cohesion.consultations.models import Consultation, Response, ResponseImport
from cohesion.core.models import AuditEvent


def test_an_officer_enters_a_paper_response_and_the_same_form_twice_is_refused(
    officer_client: Client, consultation: Consultation
) -> None:
    url = reverse("consultations_staff:response_paper", kwargs={"slug": consultation.slug})
    q = {x.order: x.pk for x in consultation.questions.all()}
    data = {
        "channel": "paper",
        "source_reference": "P-0001",
        f"q{q[1]}": "Disagree",
        f"q{q[3]}": ["Better parks"],
        f"q{q[4]}": "Too many empty shops",
    }
    assert officer_client.post(url, data).status_code == 302
    response = Response.objects.get(source_reference="P-0001")
    assert (
        response.channel == "paper"
        and response.submitted_at is not None
        and response.entered_by is not None
    )
    assert response.answers.count() == 3
    again = officer_client.post(url, data)
    assert "has already been entered" in again.content.decode()
    assert Response.objects.filter(source_reference="P-0001").count() == 1
    nothing = officer_client.post(url, {"channel": "email", "source_reference": "E-1"})
    assert "There are no answers to save" in nothing.content.decode()
    # Looking at a response (personal data) is recorded.
    officer_client.get(
        reverse(
            "consultations_staff:response_detail",
            kwargs={"slug": consultation.slug, "pk": response.pk},
        )
    )
    assert AuditEvent.objects.filter(
        action="view", object_type="consultations.response", object_id=str(response.pk)
    ).exists()


def _import(
    client: Client, consultation: Consultation, raw: bytes, name: str = "answers.csv"
) -> object:
    return client.post(
        reverse("consultations_staff:import_new", kwargs={"slug": consultation.slug}),
        {"file": SimpleUploadedFile(name, raw, content_type="text/csv")},
    )


def test_a_csv_import_saves_good_rows_and_lists_bad_ones(
    officer_client: Client, consultation: Consultation, django_capture_on_commit_callbacks: object
) -> None:
    csv_text = (
        b"response_id,Do you agree with the plan?,What would help?,Why do you say that?,ward,submitted_at\n"
        b"A1,Agree,More events;Safer streets,It brings people together,Ward A,2026-03-01\n"
        b"A2,Perhaps,,Not sure,Ward B,2026-03-01\n"  # not an answer offered
        b"A3,,Better parks,,Ward C,\n"  # the required question is empty
        b"A1,Agree,,Repeat,Ward A,\n"  # the same response again
        b"A4,Strongly disagree,,Waste of money,Ward Z,\n"  # no such ward
        b'A5,Disagree,,"Not for me, thanks",Ward B,31/03/2026\n'
        b"A6,Agree,,Fine,Ward A,yesterday\n"
    )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = _import(officer_client, consultation, csv_text)
    assert response.status_code == 302
    record = ResponseImport.objects.get()
    assert (record.rows_total, record.rows_saved, record.rows_rejected) == (7, 2, 5)
    reasons = {r["line"]: r["reason"] for r in record.rejections}
    assert "“Perhaps” is not one of the answers" in reasons[3]
    assert "Choose an answer" in reasons[4]
    assert "repeats response “A1” from line 2" in reasons[5]
    assert "“Ward Z” is not one of the answers" in reasons[6]
    assert "is not a date" in reasons[8]
    assert record.content == ""
    page = officer_client.get(response["Location"]).content.decode()
    assert "2 responses saved" in page and "Rows we could not save" in page
    assert set(
        Response.objects.filter(channel="import").values_list("source_reference", flat=True)
    ) == {"A1", "A5"}
    assert Response.objects.get(source_reference="A5").ward.name == "Ward B"
    # Importing the same file again saves nothing twice.
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _import(officer_client, consultation, csv_text)
    assert Response.objects.filter(channel="import").count() == 2
    second = ResponseImport.objects.order_by("-pk").first()
    assert second is not None and "already been entered" in second.rejections[0]["reason"]


def test_a_file_in_windows_encoding_is_read_with_a_note(
    officer_client: Client, consultation: Consultation, django_capture_on_commit_callbacks: object
) -> None:
    raw = "q1,q4\nAgree,Caf\u00e9 culture \u2013 more please\n".encode("cp1252")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = _import(officer_client, consultation, raw)
    record = ResponseImport.objects.get()
    assert "cp1252" in record.encoding_note
    assert record.rows_saved == 1
    assert (
        Response.objects.get().answers.get(question__order=4).text
        == "Caf\u00e9 culture \u2013 more please"
    )
    assert (
        "Check that accented letters" in officer_client.get(response["Location"]).content.decode()
    )


def test_rows_repeated_word_for_word_without_an_id_are_refused_but_choices_alone_are_kept(
    officer_client: Client, consultation: Consultation, django_capture_on_commit_callbacks: object
) -> None:
    raw = (
        "q1,q4\n"
        "Agree,Too many cars on our road\n"
        "Agree,Too many cars on our road \n"  # the same response sent twice
        "Disagree,\n"
        "Disagree,\n"  # two people can tick the same box
    ).encode("utf-16")  # with a byte-order mark, as some survey tools save it
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _import(officer_client, consultation, raw)
    record = ResponseImport.objects.get()
    assert (record.rows_total, record.rows_saved, record.rows_rejected) == (4, 3, 1)
    reason = record.rejections[0]
    assert reason["line"] == 3 and "repeats line 2 word for word" in reason["reason"]
    assert "give each row its own response id" in reason["reason"]
    assert Response.objects.filter(channel="import").count() == 3


def test_an_imported_answer_that_is_too_long_is_refused_with_its_line(
    officer_client: Client, consultation: Consultation, django_capture_on_commit_callbacks: object
) -> None:
    raw = ("q1,q4\nAgree," + "word " * 12_000 + "\nDisagree,Fine as it is\n").encode()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _import(officer_client, consultation, raw)
    record = ResponseImport.objects.get()
    assert (record.rows_saved, record.rows_rejected) == (1, 1)
    [rejected] = record.rejections
    assert rejected["line"] == 2 and "Your answer is too long" in rejected["reason"]
    assert Response.objects.get().answers.get(question__order=4).text == "Fine as it is"


def test_files_that_cannot_be_read_are_refused_with_a_message(
    officer_client: Client, consultation: Consultation
) -> None:
    excel = _import(officer_client, consultation, b"PK\x03\x04rest-of-zip", "answers.xlsx")
    assert "looks like an Excel file" in excel.content.decode()
    unknown = _import(officer_client, consultation, b"colour,shape\nred,round\n")
    assert (
        "We do not know the column" in unknown.content.decode()
        or "None of the columns" in unknown.content.decode()
    )
    empty = _import(officer_client, consultation, b"")
    assert "There is a problem" in empty.content.decode()
    assert not ResponseImport.objects.exists()


def test_the_job_page_leads_on_to_the_import_report(
    officer_client: Client, consultation: Consultation, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _import(officer_client, consultation, b"q1\nAgree\n")
    record = ResponseImport.objects.get()
    assert record.job is not None
    status = officer_client.get(reverse("core:job_status", kwargs={"pk": record.job.pk})).json()
    assert status["next_url"] == reverse(
        "consultations_staff:import_detail", kwargs={"slug": consultation.slug, "pk": record.pk}
    )
