"""Seed the symptom catalogue exactly as ../shared/CLINICAL.md lists it.

The data is written out here (not imported from app code) so this migration never changes.
Admins may later edit wording, add symptoms and retire them.
"""

from django.db import migrations

SITES = [
    # code, name, is a metastasis site, order
    ("bone", "Bone", True, 1),
    ("brain", "Brain", True, 2),
    ("liver", "Liver", True, 3),
    ("lung", "Lung", True, 4),
    ("general", "How you feel in general", False, 5),
    ("treatment", "Treatment side effects", False, 6),
]

CALL_NOW = "If this happens, call your care team's 24-hour line now."
EMERGENCY = "If this happens, call 999 (or 911) or go to the emergency department now."

SYMPTOMS = [
    # code, name, site, kind, red flag, help text
    ("bone_pain", "Bone pain", "bone", "severity", "none",
     "An ache or sharp pain in a bone, such as your hips, ribs or legs. Score the worst it was "
     "today."),
    ("back_pain", "Back or neck pain", "bone", "severity", "none",
     "Pain anywhere in your back or neck. New or worse back pain is worth telling your team "
     "about, even if it is mild."),
    ("bone_swelling", "Swelling over a bone", "bone", "severity", "none",
     "A lump, swelling or tender spot over a bone."),
    ("fracture", "A bone broke, or you think it may have", "bone", "presence", "call_now",
     "Sudden sharp pain after a small knock or twist, or you cannot put weight on a limb. "
     + CALL_NOW),
    ("limb_weakness_numbness", "New weakness, numbness or tingling in legs or arms", "bone",
     "presence", "emergency",
     "Your legs or arms feel weak, numb, tingly or heavy in a way that is new for you. "
     + EMERGENCY),
    ("bladder_bowel_change", "New trouble controlling bladder or bowels", "bone", "presence",
     "emergency",
     "You cannot pass urine, or you leak urine or stool when you did not before. " + EMERGENCY),
    ("headache", "Headache", "brain", "severity", "none",
     "Pain in your head. Tell your team if headaches are new, worse in the morning, or come "
     "with sickness."),
    ("vision_change", "Blurred or double vision", "brain", "severity", "none",
     "Things look blurry or you see two of things. Score how much it gets in your way."),
    ("balance_problems", "Dizziness or trouble with balance", "brain", "severity", "none",
     "Feeling dizzy, unsteady on your feet, or bumping into things."),
    ("seizure", "Seizure (fit)", "brain", "presence", "emergency",
     "Shaking or jerking you cannot control, or a short time when you were not aware of "
     "anything. " + EMERGENCY),
    ("confusion", "Confusion or sudden memory problems", "brain", "presence", "call_now",
     "You or people close to you notice you are muddled or forgetting things suddenly. "
     + CALL_NOW),
    ("speech_difficulty", "Sudden trouble speaking", "brain", "presence", "emergency",
     "Words will not come out, come out wrong, or your speech is slurred. " + EMERGENCY),
    ("abdominal_pain", "Pain under the right ribs or in the belly", "liver", "severity", "none",
     "Pain or a dull ache under your ribs on the right side, or anywhere in your belly."),
    ("abdominal_swelling", "Swollen belly", "liver", "severity", "none",
     "Your belly looks or feels bigger or tighter, or your clothes feel tight around the waist."),
    ("jaundice", "Yellow skin or eyes", "liver", "presence", "call_now",
     "The whites of your eyes or your skin look yellow. " + CALL_NOW),
    ("itching", "Itchy skin", "liver", "severity", "none",
     "Itching anywhere on your body, without a rash you can explain."),
    ("shortness_of_breath", "Shortness of breath", "lung", "severity", "none",
     "Getting out of breath more easily than usual, for example on stairs."),
    ("breathless_at_rest", "Breathless while resting", "lung", "presence", "emergency",
     "You are short of breath even when sitting still. " + EMERGENCY),
    ("cough", "Cough", "lung", "severity", "none", "A cough that is new or worse than usual."),
    ("chest_pain", "Chest pain", "lung", "severity", "none",
     "Pain or tightness in your chest. If it is sudden and severe, call 999 (or 911)."),
    ("coughing_blood", "Coughing up blood", "lung", "presence", "emergency",
     "Blood or pink froth when you cough. " + EMERGENCY),
    ("fatigue", "Tiredness", "general", "severity", "none",
     "Feeling tired or weak, even after rest. Score how much it stopped you doing things."),
    ("appetite_loss", "Loss of appetite", "general", "severity", "none",
     "Not feeling like eating, or feeling full quickly."),
    ("nausea", "Nausea or vomiting", "general", "severity", "none",
     "Feeling sick or being sick. If you cannot keep fluids down for a day, call your team."),
    ("thirst", "Very thirsty", "general", "severity", "none",
     "Feeling much more thirsty than usual, or needing to pass urine a lot."),
    ("constipation", "Constipation", "general", "severity", "none",
     "Finding it hard to poo, or going less often than usual."),
    ("anxiety", "Feeling anxious or worried", "general", "severity", "none",
     "Feeling nervous, on edge or unable to stop worrying. It is fine to tell your team."),
    ("low_mood", "Feeling low or sad", "general", "severity", "none",
     "Feeling down, hopeless, or no longer enjoying things. Support is there if you need it."),
    ("fever", "Temperature", "general", "temperature", "none",
     "Your temperature in °C, if you took it today. 38.0 °C or more during treatment: call "
     "your care team's 24-hour line now."),
    ("neuropathy", "Numbness or tingling in hands or feet", "treatment", "severity", "none",
     "Pins and needles, numbness or burning in your fingers or toes."),
    ("diarrhea", "Diarrhoea", "treatment", "severity", "none",
     "Loose or watery poo, more often than usual. Drink plenty; call your team if it lasts."),
    ("mouth_sores", "Mouth sores", "treatment", "severity", "none",
     "Sore spots or ulcers in your mouth, or pain when eating."),
    ("hand_foot", "Sore, red or peeling hands or feet", "treatment", "severity", "none",
     "Redness, swelling, peeling or pain on the palms of your hands or soles of your feet."),
]


def seed(apps, schema_editor):
    Site = apps.get_model("symptoms", "Site")
    Symptom = apps.get_model("symptoms", "Symptom")
    for code, name, is_metastasis_site, order in SITES:
        Site.objects.update_or_create(
            code=code,
            defaults={"name": name, "is_metastasis_site": is_metastasis_site,
                      "display_order": order},
        )
    for order, (code, name, site, kind, red_flag, help_text) in enumerate(SYMPTOMS, start=1):
        Symptom.objects.update_or_create(
            code=code,
            defaults={"name": name, "site_id": site, "kind": kind, "red_flag": red_flag,
                      "help_text": help_text, "display_order": order, "active": True},
        )


def unseed(apps, schema_editor):
    apps.get_model("symptoms", "Symptom").objects.filter(
        code__in=[row[0] for row in SYMPTOMS], entries__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("symptoms", "0001_catalogue_and_logs")]
    operations = [migrations.RunPython(seed, unseed)]
