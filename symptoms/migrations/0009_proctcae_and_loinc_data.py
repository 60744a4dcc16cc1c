"""PRO-CTCAE terms and LOINC codes for the shipped catalogue (README, "Clinical codes").

The data is written out here (not imported from app code) so this migration never changes. It
fills only blank fields, so running it again, or over an admin's edit, changes nothing the admin
typed; the way down clears only the values it wrote.

Sources: PRO-CTCAE terms and which attributes each term has are NCI's item library (term names
as trials report them; item attributes as the Mayo Clinic ProAE package lists them). LOINC 8310-5
"Body temperature" (the FHIR body temperature profile) and 72514-3 "Pain severity - 0-10 verbal
numeric rating [Score] - Reported" (our 0-10 pain scores). A blank means no code truly matches.
"""

from django.db import migrations

PAIN_SCORE = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
BODY_TEMPERATURE = ("8310-5", "Body temperature")

# code: (PRO-CTCAE term, attribute) -- only where NCI's term means what our question asks.
PROCTCAE = {
    "headache": ("Headache", "severity"),
    "vision_change": ("Blurred vision", "interference"),  # "score how much it gets in your way"
    "balance_problems": ("Dizziness", "severity"),
    "abdominal_pain": ("Abdominal pain", "severity"),
    "abdominal_swelling": ("Bloating", "severity"),
    "itching": ("Itching", "severity"),
    "shortness_of_breath": ("Shortness of breath", "severity"),
    "cough": ("Cough", "severity"),
    "fatigue": ("Fatigue", "interference"),  # "score how much it stopped you doing things"
    "appetite_loss": ("Decreased appetite", "severity"),
    "nausea": ("Nausea", "severity"),
    "constipation": ("Constipation", "severity"),
    "anxiety": ("Anxious", "severity"),
    "low_mood": ("Sad", "severity"),
    "neuropathy": ("Numbness & tingling", "severity"),
    "diarrhea": ("Diarrhea", "frequency"),  # PRO-CTCAE asks only how often
    "mouth_sores": ("Mouth/throat sores", "severity"),
    "hand_foot": ("Hand-foot syndrome", "severity"),
}

# code: (LOINC code, LOINC long name)
LOINC = {
    "bone_pain": PAIN_SCORE,
    "back_pain": PAIN_SCORE,
    "headache": PAIN_SCORE,
    "abdominal_pain": PAIN_SCORE,
    "chest_pain": PAIN_SCORE,
    "fever": BODY_TEMPERATURE,
}


def fill(apps, schema_editor):
    Symptom = apps.get_model("symptoms", "Symptom")
    for code, (term, attribute) in PROCTCAE.items():
        # Term and attribute go together (a check constraint): fill the pair only when both
        # are blank, so a pair an admin chose is kept whole.
        Symptom.objects.filter(code=code, proctcae_term="", proctcae_attribute="").update(
            proctcae_term=term, proctcae_attribute=attribute
        )
    for code, (loinc_code, display) in LOINC.items():
        Symptom.objects.filter(code=code, loinc_code="").update(
            loinc_code=loinc_code, loinc_display=display
        )
        # Our code already typed in by hand, without its name: add the name.
        Symptom.objects.filter(code=code, loinc_code=loinc_code, loinc_display="").update(
            loinc_display=display
        )


def clear(apps, schema_editor):
    Symptom = apps.get_model("symptoms", "Symptom")
    for code, (term, attribute) in PROCTCAE.items():
        Symptom.objects.filter(
            code=code, proctcae_term=term, proctcae_attribute=attribute
        ).update(proctcae_term="", proctcae_attribute="")
    for code, (loinc_code, display) in LOINC.items():
        Symptom.objects.filter(code=code, loinc_code=loinc_code, loinc_display=display).update(
            loinc_code="", loinc_display=""
        )


class Migration(migrations.Migration):
    dependencies = [("symptoms", "0008_proctcae_and_loinc_codes")]
    operations = [migrations.RunPython(fill, clear)]
