"""The shipped resources in Spanish, matched by their English title. Fills only Spanish texts
still empty (an admin's own wording stays); going back empties only the texts written here."""

from django.db import migrations

# English title: (Spanish title, Spanish body)
RESOURCES = {
    "A slow-breathing exercise": (
        "Un ejercicio de respiración lenta",
        "Respirar despacio puede calmar su cuerpo cuando siente tensión, por ejemplo la noche "
        "antes de un escáner, en la sala de espera o mientras el escáner está funcionando.\n\n"
        "Siéntese o acuéstese en una posición cómoda. Tome aire suavemente por la nariz mientras "
        "cuenta hasta 4. Luego suelte el aire despacio por la boca mientras cuenta hasta 6. Siga "
        "así unos dos minutos.\n\n"
        "Si contar le parece demasiado, solo haga que cada vez que suelta el aire dure un poco "
        "más que cuando lo toma. Puede hacerlo tantas veces como quiera, y nadie a su alrededor "
        "tiene que saberlo.",
    ),
    "Bring someone with you": (
        "Vaya con alguien de compañía",
        "No tiene que ir sin compañía a un escáner o a una cita de resultados. Su pareja, una "
        "amistad o un familiar puede acompañarle mientras espera, ayudarle a recordar lo que le "
        "dijeron y ayudarle a volver a casa.\n\n"
        "Pídaselo unos días antes, y dígale qué le ayudaría más: conversar, estar en silencio a "
        "su lado o tomar notas por usted. Puede que no le dejen entrar a la sala del escáner, "
        "pero puede esperarle afuera.\n\n"
        "Si nadie puede ir, no pasa nada. Cuando llegue, dígale al personal que siente nervios. "
        "Están acostumbrados y querrán ayudarle.",
    ),
    "Ask when and how your results will come": (
        "Pregunte cuándo y cómo recibirá sus resultados",
        "Para muchas personas, esperar los resultados es lo más difícil. Saber qué esperar puede "
        "hacer que la espera se sienta menos interminable.\n\n"
        "Antes del escáner o ese mismo día, pregunte a su equipo de atención: ¿Cuándo estarán "
        "listos mis resultados? ¿Quién me los dará, y cómo: en una consulta, por teléfono o por "
        "carta? ¿A quién puedo llamar si para entonces no sé nada?\n\n"
        "Anote las respuestas o guárdelas en su teléfono. Si llega ese día y no ha tenido "
        "noticias, está bien llamar y preguntar. No está molestando a nadie.",
    ),
    "Plan things to do while you wait": (
        "Planee cosas para hacer mientras espera",
        "Los días alrededor de un escáner pueden hacerse largos. Planear algunas cosas con "
        "tiempo puede darle un descanso a su mente.\n\n"
        "Elija cosas que disfrute y que ocupen parte de su atención: una película o una serie, "
        "un pódcast o un audiolibro, un rompecabezas, una caminata corta, cocinar o pasar tiempo "
        "con una amistad. Anote una o dos en su agenda para los días de espera. Lleve también "
        "algo para la sala de espera, como audífonos, un libro o un juego en su teléfono.\n\n"
        "Es normal que sus pensamientos vuelvan a los resultados. Cuando pase, lleve su atención "
        "con calma de vuelta a lo que está haciendo.",
    ),
    "Talk to someone": (
        "Hable con alguien",
        "Sentir preocupación, tristeza o nervios es común cuando se vive con cáncer. No quiere "
        "decir que lo esté llevando mal, y no tiene que cargar con esto sin ayuda.\n\n"
        "Puede hablar con su equipo de atención o con su enfermera de cáncer de mama, con su "
        "médico de cabecera (médico de familia), o con un consejero o un psicólogo. Su equipo de "
        "atención puede decirle cómo conseguir una cita.\n\n"
        "Si la preocupación o la tristeza le hacen difícil dormir, comer o pasar el día, por "
        "favor dígaselo a su equipo. Hay ayuda que funciona. Si alguna vez siente que no puede "
        "mantenerse a salvo, llame a los servicios de emergencia o vaya enseguida al servicio de "
        "urgencias.",
    ),
    "Support groups": (
        "Grupos de apoyo",
        "A muchas personas que viven con cáncer de mama metastásico les ayuda hablar con otras "
        "personas que saben cómo es. Los grupos pueden reunirse en persona, por teléfono o por "
        "internet.\n\n"
        "Pregunte a su equipo de atención o a su enfermera de cáncer de mama por grupos cerca de "
        "usted para personas que viven con cáncer de mama metastásico. Puede ir una vez para ver "
        "cómo se siente. No tiene que hablar si prefiere escuchar.",
    ),
    "Small things for hard days": (
        "Pequeñas cosas para los días difíciles",
        "En los días difíciles está bien hacer menos. Elija una cosa pequeña que por lo general "
        "le ayude, como una bebida caliente, un poco de aire fresco, una ducha, música o una "
        "charla con alguien que le cae bien.\n\n"
        "Cuando la gente le ofrezca ayuda, acéptela. Deles una tarea sencilla, como hacer las "
        "compras o llevarle al hospital.\n\n"
        "Si las preocupaciones no le dejan dormir, intente escribirlas antes de acostarse. Así "
        "quedan en el papel y no dando vueltas en su cabeza, y puede llevar la lista a su equipo "
        "de atención.",
    ),
    "Eating when you do not feel like it": (
        "Comer cuando no tiene ganas",
        "El tratamiento y la preocupación pueden quitarle el apetito. Comer poco cada pocas "
        "horas suele ser más fácil que hacer tres comidas grandes. Tenga en casa comidas fáciles "
        "para los días de cansancio. Si se llena rápido, tome las bebidas entre comidas y no "
        "durante las comidas.\n\n"
        "Si está bajando de peso sin querer, o si comer le cuesta desde hace más de unos días, "
        "dígaselo a su equipo de atención. Pueden pedirle a un nutricionista que le ayude.",
    ),
    "Moving a little each day": (
        "Moverse un poco cada día",
        "La actividad suave, como una caminata corta o unos estiramientos, puede ayudar con el "
        "cansancio, el ánimo y el sueño. Empiece poco a poco, por ejemplo con 5 a 10 minutos, y "
        "añada un poco más cuando se sienta con fuerzas. Descanse los días que lo necesite.\n\n"
        "Si el cáncer está en sus huesos, pregunte a su equipo qué tipo de actividad es segura "
        "para usted antes de empezar algo nuevo. Si al moverse siente un dolor nuevo, pare y "
        "dígaselo a su equipo.",
    ),
    "Complementary therapies": (
        "Terapias complementarias",
        "A algunas personas los masajes, la relajación, el yoga, la atención plena o la "
        "acupuntura les ayudan a sentirse más tranquilas o más cómodas. No tratan el cáncer, "
        "pero pueden acompañar su tratamiento. Puede que su hospital ofrezca algunas, así que "
        "pregunte qué hay disponible.\n\n"
        "Pregunte a su equipo antes de empezar cualquier suplemento o remedio de hierbas. "
        "Algunos pueden cambiar la forma en que actúan sus medicamentos contra el cáncer.",
    ),
}


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def fill_spanish(apps, schema_editor):
    Resource = apps.get_model("appointments", "Resource")
    for resource in Resource.objects.all():
        english = resource.title_en or resource.title
        if english not in RESOURCES:
            continue  # added by an admin: theirs to translate
        title, body = RESOURCES[english]
        changed = []
        if _blank(resource.title_es):
            resource.title_es = title
            changed.append("title_es")
        if _blank(resource.body_es):
            resource.body_es = body
            changed.append("body_es")
        if changed:
            resource.save(update_fields=changed)


def empty_spanish(apps, schema_editor):
    Resource = apps.get_model("appointments", "Resource")
    for title, body in RESOURCES.values():
        Resource.objects.filter(title_es=title).update(title_es=None)
        Resource.objects.filter(body_es=body).update(body_es=None)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0004_resource_translations")]

    operations = [migrations.RunPython(fill_spanish, empty_spanish)]
