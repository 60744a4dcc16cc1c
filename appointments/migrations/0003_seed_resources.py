"""Seed a starter set of resources, written in our own plain words.

Reading age about 12, calm, never blaming, and each one says what to do next. No phone numbers
or web addresses: teams add their own local ones in admin. The first tag of each is the topic it
is listed under on the Resources page. The text is written out here (not imported from app code)
so this migration never changes; admins may edit, add and hide resources later.
"""

from django.db import migrations

RESOURCES = [
    # title, body, tags, display order
    (
        "A slow-breathing exercise",
        "Slow breathing can calm your body when you feel tense, for example the night before a "
        "scan, in the waiting room, or while the scanner is working.\n\n"
        "Sit or lie down in a way that feels comfortable. Breathe in gently through your nose "
        "while you count to 4. Then breathe out slowly through your mouth while you count to 6. "
        "Keep going like this for about two minutes.\n\n"
        "If counting feels like too much, just let each breath out be a little longer than the "
        "breath in. You can do this as often as you like, and nobody around you needs to know.",
        ["scan_anxiety", "coping", "mental_health"],
        10,
    ),
    (
        "Bring someone with you",
        "You do not have to go to a scan or a results appointment on your own. A partner, friend "
        "or family member can keep you company while you wait, help you remember what was said, "
        "and help you get home.\n\n"
        "Ask them a few days before, and tell them what would help you most: chatting, quiet "
        "company, or writing things down for you. They may not be allowed into the scan room, "
        "but they can wait for you.\n\n"
        "If nobody can come, that is all right. Tell the staff when you arrive that you feel "
        "nervous. They are used to this and will want to help.",
        ["scan_anxiety", "support"],
        20,
    ),
    (
        "Ask when and how your results will come",
        "For many people, waiting for results is the hardest part. Knowing what to expect can "
        "make the wait feel less open-ended.\n\n"
        "Before or at your scan, ask your care team: When will my results be ready? Who will tell "
        "me, and how: at a visit, by phone or by letter? Who can I call if I have not heard by "
        "then?\n\n"
        "Write the answers down or save them in your phone. If that day comes and goes and you "
        "have not heard, it is fine to call and ask. You are not being a nuisance.",
        ["scan_anxiety"],
        30,
    ),
    (
        "Plan things to do while you wait",
        "The days around a scan can feel long. Planning a few things ahead can give your mind a "
        "rest.\n\n"
        "Choose things you enjoy that take some of your attention: a film or a series, a podcast "
        "or audiobook, a puzzle, a short walk, cooking, or time with a friend. Put one or two of "
        "them in your diary for the waiting days. Pack something for the waiting room too, such "
        "as headphones, a book or a game on your phone.\n\n"
        "It is normal for your thoughts to drift back to the results. When they do, gently bring "
        "your attention back to what you are doing.",
        ["scan_anxiety", "coping"],
        40,
    ),
    (
        "Talk to someone",
        "Feeling worried, low or on edge is common when you live with cancer. It is not a sign "
        "that you are coping badly, and you do not have to carry it alone.\n\n"
        "You can talk to your care team or breast care nurse, to your GP (family doctor), or to a "
        "counsellor or psychologist. Your care team can tell you how to see one.\n\n"
        "If worry or low mood makes it hard to sleep, eat or get through the day, please tell "
        "your team. There is help that works. If you ever feel you cannot keep yourself safe, "
        "call emergency services or go to the emergency department straight away.",
        ["mental_health", "support", "scan_anxiety"],
        50,
    ),
    (
        "Support groups",
        "Many people living with secondary breast cancer find it helps to talk with others who "
        "know what it is like. Groups may meet in person, by phone or online.\n\n"
        "Ask your care team or breast care nurse about local groups for people living with "
        "secondary breast cancer. You can go once to see how it feels. You do not have to speak "
        "if you would rather listen.",
        ["support", "coping"],
        60,
    ),
    (
        "Small things for hard days",
        "On hard days it is fine to do less. Pick one small thing that usually helps you, such as "
        "a warm drink, some fresh air, a shower, music, or a chat with someone you like.\n\n"
        "When people offer to help, let them. Give them a simple job, like the shopping or a lift "
        "to the hospital.\n\n"
        "If worries keep you awake, try writing them down before bed. Then they are on paper, "
        "not going round in your head, and you can bring the list to your care team.",
        ["coping"],
        70,
    ),
    (
        "Eating when you do not feel like it",
        "Treatment and worry can both take away your appetite. Small meals or snacks every few "
        "hours are often easier than three big meals. Keep easy foods in the house for the days "
        "you are tired. If you fill up quickly, have drinks between meals rather than with "
        "them.\n\n"
        "If you are losing weight without trying, or eating has been hard for more than a few "
        "days, tell your care team. They can ask a dietitian to help you.",
        ["nutrition"],
        80,
    ),
    (
        "Moving a little each day",
        "Gentle activity, like a short walk or some stretching, can help with tiredness, mood and "
        "sleep. Start small, for example 5 to 10 minutes, and add a little more when you feel "
        "ready. Rest on the days you need to.\n\n"
        "If the cancer is in your bones, ask your team which kinds of activity are safe for you "
        "before you start something new. If moving causes new pain, stop and tell your team.",
        ["exercise"],
        90,
    ),
    (
        "Complementary therapies",
        "Some people find that massage, relaxation, yoga, mindfulness or acupuncture help them "
        "feel calmer or more comfortable. These do not treat the cancer, but they can go "
        "alongside your treatment. Your hospital may offer some of them, so ask what is "
        "available.\n\n"
        "Ask your team before starting any supplement or herbal remedy. Some can change how your "
        "cancer medicines work.",
        ["complementary", "coping"],
        100,
    ),
]


def seed(apps, schema_editor):
    Resource = apps.get_model("appointments", "Resource")
    for title, body, tags, order in RESOURCES:
        Resource.objects.get_or_create(
            title=title, defaults={"body": body, "tags": tags, "display_order": order}
        )


def unseed(apps, schema_editor):
    Resource = apps.get_model("appointments", "Resource")
    Resource.objects.filter(title__in=[title for title, *_ in RESOURCES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0002_resource_tags_validator"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
