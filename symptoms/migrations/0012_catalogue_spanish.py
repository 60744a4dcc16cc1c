"""The shipped catalogue in Spanish: the six sites and the 33 symptoms. Fills only Spanish texts
still empty (an admin's own wording stays); going back empties only the texts written here."""

from django.db import migrations

SITES = {
    "bone": "Huesos",
    "brain": "Cerebro",
    "liver": "Hígado",
    "lung": "Pulmones",
    "general": "Cómo se siente en general",
    "treatment": "Efectos secundarios del tratamiento",
}

_CALL_LINE = (
    "Si esto pasa, llame ahora a la línea de 24 horas de su equipo de atención: {care_team_line}."
)
_EMERGENCY = "Si esto pasa, llame al {emergency_number} o vaya ahora al servicio de urgencias."

# code: (name, help)
SYMPTOMS = {
    "bone_pain": (
        "Dolor de huesos",
        "Un dolor sordo o punzante en un hueso, por ejemplo en las caderas, las costillas o las "
        "piernas. Califique el momento en que más le dolió hoy.",
    ),
    "back_pain": (
        "Dolor de espalda o de cuello",
        "Dolor en cualquier parte de la espalda o del cuello. Si el dolor de espalda es nuevo o "
        "está peor, vale la pena decírselo a su equipo, aunque sea leve.",
    ),
    "bone_swelling": (
        "Hinchazón sobre un hueso",
        "Un bulto, una hinchazón o un punto que duele al tocarlo, sobre un hueso.",
    ),
    "fracture": (
        "Se le rompió un hueso, o cree que puede haberse roto",
        "Un dolor fuerte y repentino después de un golpe o una torcedura pequeños, o no puede "
        "apoyar el peso en un brazo o una pierna. " + _CALL_LINE,
    ),
    "limb_weakness_numbness": (
        "Debilidad, entumecimiento u hormigueo nuevos en las piernas o los brazos",
        "Siente las piernas o los brazos débiles, entumecidos, con hormigueo o pesados, y eso "
        "es nuevo para usted. " + _EMERGENCY,
    ),
    "bladder_bowel_change": (
        "Problemas nuevos para controlar la orina o las heces",
        "No puede orinar, o se le escapa la orina o las heces cuando antes no le pasaba. "
        + _EMERGENCY,
    ),
    "headache": (
        "Dolor de cabeza",
        "Dolor en la cabeza. Dígale a su equipo si los dolores de cabeza son nuevos, si son "
        "peores por la mañana o si vienen con náuseas o vómitos.",
    ),
    "vision_change": (
        "Visión borrosa o doble",
        "Ve las cosas borrosas o ve doble. Califique cuánto le molesta en su día.",
    ),
    "balance_problems": (
        "Mareos o problemas de equilibrio",
        "Siente mareo, le cuesta mantenerse firme al caminar o se choca con las cosas.",
    ),
    "seizure": (
        "Convulsión",
        "Sacudidas o movimientos bruscos que no puede controlar, o un rato corto en el que no se "
        "dio cuenta de nada. " + _EMERGENCY,
    ),
    "confusion": (
        "Confusión o problemas repentinos de memoria",
        "Usted o las personas cercanas notan que se confunde o que de repente olvida cosas. "
        + _CALL_LINE,
    ),
    "speech_difficulty": (
        "Problemas repentinos para hablar",
        "Las palabras no le salen, le salen mal o habla arrastrando las palabras. " + _EMERGENCY,
    ),
    "abdominal_pain": (
        "Dolor bajo las costillas del lado derecho o en el abdomen",
        "Dolor o una molestia sorda bajo las costillas del lado derecho, o en cualquier parte "
        "del abdomen (la barriga).",
    ),
    "abdominal_swelling": (
        "Abdomen hinchado",
        "Su abdomen se ve o se siente más grande o más tenso, o la ropa le aprieta en la "
        "cintura.",
    ),
    "jaundice": (
        "Piel u ojos amarillos",
        "La parte blanca de los ojos o la piel se ven amarillas. " + _CALL_LINE,
    ),
    "itching": (
        "Picazón en la piel",
        "Picazón en cualquier parte del cuerpo, sin un sarpullido que la explique.",
    ),
    "shortness_of_breath": (
        "Falta de aire",
        "Le falta el aire con más facilidad que de costumbre, por ejemplo al subir escaleras.",
    ),
    "breathless_at_rest": (
        "Falta de aire en reposo",
        "Le falta el aire incluso cuando descansa sin moverse. " + _EMERGENCY,
    ),
    "cough": ("Tos", "Una tos nueva o peor que de costumbre."),
    "chest_pain": (
        "Dolor en el pecho",
        "Dolor u opresión en el pecho. Si es repentino y fuerte, llame al {emergency_number}.",
    ),
    "coughing_blood": (
        "Tos con sangre",
        "Sangre o espuma rosada al toser. " + _EMERGENCY,
    ),
    "fatigue": (
        "Cansancio",
        "Siente cansancio o debilidad, incluso después de descansar. Califique cuánto le impidió "
        "hacer sus cosas.",
    ),
    "appetite_loss": (
        "Falta de apetito",
        "No tiene ganas de comer, o se llena muy rápido.",
    ),
    "nausea": (
        "Náuseas o vómitos",
        "Tiene ganas de vomitar o vomita. Si en un día entero no puede retener líquidos, llame "
        "a su equipo.",
    ),
    "thirst": (
        "Mucha sed",
        "Tiene mucha más sed que de costumbre, o necesita orinar muchas veces.",
    ),
    "constipation": (
        "Estreñimiento",
        "Le cuesta ir al baño a hacer de vientre, o va menos veces que de costumbre.",
    ),
    "anxiety": (
        "Ansiedad o preocupación",
        "Siente nervios o tensión, o no puede dejar de preocuparse. Está bien decírselo a su "
        "equipo.",
    ),
    "low_mood": (
        "Tristeza o desánimo",
        "Siente desánimo o falta de esperanza, o ya no disfruta de las cosas. Hay apoyo para "
        "usted si lo necesita.",
    ),
    "fever": (
        "Temperatura (fiebre)",
        "Su temperatura en °C, si se la tomó hoy. Si tiene 38,0 °C o más durante el "
        "tratamiento, llame ahora a la línea de 24 horas de su equipo de atención: "
        "{care_team_line}.",
    ),
    "neuropathy": (
        "Entumecimiento u hormigueo en las manos o los pies",
        "Hormigueo, entumecimiento o ardor en los dedos de las manos o de los pies.",
    ),
    "diarrhea": (
        "Diarrea",
        "Heces blandas o líquidas, más veces que de costumbre. Tome muchos líquidos y llame a "
        "su equipo si no se le pasa.",
    ),
    "mouth_sores": (
        "Llagas en la boca",
        "Puntos que duelen o úlceras en la boca, o dolor al comer.",
    ),
    "hand_foot": (
        "Manos o pies adoloridos, rojos o con la piel pelada",
        "Enrojecimiento, hinchazón, piel que se pela o dolor en las palmas de las manos o en las "
        "plantas de los pies.",
    ),
}


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def fill_spanish(apps, schema_editor):
    Site = apps.get_model("symptoms", "Site")
    Symptom = apps.get_model("symptoms", "Symptom")
    for site in Site.objects.filter(code__in=SITES):
        if _blank(site.name_es):
            site.name_es = SITES[site.code]
            site.save(update_fields=["name_es"])
    for symptom in Symptom.objects.filter(code__in=SYMPTOMS):
        name, help_text = SYMPTOMS[symptom.code]
        changed = []
        if _blank(symptom.name_es):
            symptom.name_es = name
            changed.append("name_es")
        if _blank(symptom.help_text_es):
            symptom.help_text_es = help_text
            changed.append("help_text_es")
        if changed:
            symptom.save(update_fields=changed)


def empty_spanish(apps, schema_editor):
    Site = apps.get_model("symptoms", "Site")
    Symptom = apps.get_model("symptoms", "Symptom")
    for code, name in SITES.items():
        Site.objects.filter(code=code, name_es=name).update(name_es=None)
    for code, (name, help_text) in SYMPTOMS.items():
        Symptom.objects.filter(code=code, name_es=name).update(name_es=None)
        Symptom.objects.filter(code=code, help_text_es=help_text).update(help_text_es=None)


class Migration(migrations.Migration):
    dependencies = [("symptoms", "0011_catalogue_translations")]

    operations = [migrations.RunPython(fill_spanish, empty_spanish)]
