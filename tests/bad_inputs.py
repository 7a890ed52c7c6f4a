"""Broken show configs and voice profiles, each with the field its error must name (shared by the config
and speech tests and by the hold-up tests, which check that none of them changes an output folder)."""

from __future__ import annotations

BAD_SHOWS = [
    ("[show]\ntitle = 3\n", "show.title"),
    ("[show]\ntitel = 'x'\n", "show.titel"),
    ("[templates]\ngreeting = ''\n", "templates.greeting"),
    ("[templates]\nmiddle = []\n", "templates.middle"),
    ("[templates]\ngreeting = 'Bonjour {nom}'\n", "templates.greeting"),
    ("[templates]\nsignoff = 'Au revoir {'\n", "templates.signoff"),
    ("show = 3\n", "[show]"),
    ("[show\n", "not valid TOML"),
    ("[show]\ndescription = '" + "é" * 2001 + "'\n", "show.description"),  # over 4000 bytes
    ("[show]\nowner_email = 'nobody'\n", "show.owner_email"),
    ("[show]\nlanguage = 'French'\n", "show.language"),
    ("[show]\ncategory = 'Newz'\n", "show.category"),
    ("[show]\nsubcategory = 'Cooking'\n", "show.subcategory"),
    ("[show]\ncategory = 'History'\nsubcategory = 'Daily News'\n", "show.subcategory"),
    ("[show]\nexplicit = 'no'\n", "show.explicit"),
    ("[show]\nartwork = 'absent.jpg'\n", "show.artwork"),
    ("[show]\nbase_url = 'ftp://example.org/'\n", "show.base_url"),
    ("[show]\nbase_url = 'https://example.org/a b/'\n", "show.base_url"),
    ("[show]\nbase_url = 'https://example.org/?x=1'\n", "show.base_url"),
    ("[show]\nlink = 'example.org'\n", "show.link"),
    ("[show]\ncopyright = ''\n", "show.copyright"),
    ("[show]\ntimezone = 'Europe/Lutece'\n", "show.timezone"),
    ("[show]\ntimezone = '../etc'\n", "show.timezone"),
    ("[show]\nkeep = 0\n", "show.keep"),
    ("[show]\nkeep = '10'\n", "show.keep"),
    ("[show]\nkeep = true\n", "show.keep"),
    ("[show]\npreset = 'radio'\n", "show.preset"),
    ("[show]\nvoice = 3\n", "show.voice"),
    ('[show]\ntitle = "Le \\u0007 Briefing"\n', "show.title"),
    ('[templates]\nmiddle = ["Ensuite.", "Puis\\u001b."]\n', "templates.middle"),
]


BAD_SOUNDS = [
    ('[sound]\nintro = "absent.mp3"\n', "sound.intro"),
    ("[sound]\nbed = 3\n", "sound.bed"),
    ('[sound]\ntarget_lufs = "fort"\n', "sound.target_lufs"),
    ("[sound]\ntarget_lufs = -200.0\n", "sound.target_lufs"),  # once refused only by the build, as a preset's
    ("[sound]\ntarget_lufs = nan\n", "sound.target_lufs"),
    ("[sound]\nmp3_kbps = 100\n", "sound.mp3_kbps"),
    ('[sound]\njingle = "x"\n', "sound.jingle"),
]


BAD_PROFILES = [
    ("speed = 2", "speed"),
    ('name = "x"\nengine = "espeak"\nspeed = 2', "speed"),
    ('engine = "espeak"', "name"),
    ('name = "two words"\nengine = "espeak"', "name"),
    ('name = "x"', "engine"),
    ('name = "x"\nengine = "piper"', "engine"),
    ('name = "x"\nengine = "espeak"\nvoice = 3', "voice"),
    ('name = "x"\nengine = "espeak"\nrate = "fast"', "rate"),
    ('name = "x"\nengine = "espeak"\nrate = 9.0', "rate"),
    ('name = "x"\nengine = "espeak"\npitch = 1.5', "pitch"),
    ('name = "x"\nengine = "espeak"\npitch = 99', "pitch"),
    ('name = "x"\nengine = "kokoro"\npitch = 2', "pitch"),
    ('name = "x"\nengine = "gtts"\npitch = -2', "pitch"),
    ('name = "x"\nengine = "espeak"\ngain_db = true', "gain_db"),
    ('name = "x"\nengine = "espeak"\ngain_db = 60', "gain_db"),
    ('name = "x"\nengine = "espeak"\nfallback = "x"', "fallback"),
    ('name = "x"\nengine = "espeak"\nfallback = 1', "fallback"),
    ('name = "x"\nengine = "espeak"\nlexicon = "nope.tsv"', "lexicon"),
    ('name = "x"\nengine = "espeak"\ndescription = ["a"]', "description"),
    ('name = "x"\nengine = "espeak"\noptions = "model"', "options"),
    ('name = "x"\nengine = "espeak"\n[options]\nmodel = true', "options.model"),
]
