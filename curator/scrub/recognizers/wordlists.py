"""Word lists shared by recognizers: words that look like names or places but, in assistant traffic, are not."""

from __future__ import annotations

__all__ = ["COMMON_WORDS", "NOT_PII", "PLACE_NAMES", "RELATIONS"]

#: What one person is to another: family by blood and by marriage, household, friends, work, the people whose
#: services one uses. "my <one of these> X" names a private person (regular expression alternation, lower case).
RELATIONS = (
    r"mother|father|mum|mom|mam|mama|mummy|mommy|dad|daddy|papa|parents?|son|daughter|child|kid|baby|brother|"
    r"sister|sibling|twin|husband|wife|spouse|partner|fiancée?|boyfriend|girlfriend|bf|gf|ex|grandmother|grandma|"
    r"granny|nan|nana|grandfather|grandpa|grandad|granddad|grandson|granddaughter|grandchild|aunt|auntie|uncle|"
    r"cousin|niece|nephew|godmother|godfather|godson|goddaughter|step-?(?:mother|father|mum|mom|dad|son|daughter|"
    r"brother|sister)|half-(?:brother|sister)|(?:mother|father|sister|brother|daughter|son)-in-law|friend|bestie|"
    r"mate|buddy|pal|neighbou?r|roommate|flatmate|housemate|classmate|schoolmate|teammate|colleague|coworker|"
    r"co-worker|boss|manager|supervisor|team ?lead|employee|intern|assistant|secretary|employer|landlord|landlady|"
    r"tenant|lodger|client|customer|patient|student|pupil|teacher|tutor|coach|trainer|doctor|gp|dentist|"
    r"therapist|counsell?or|physio|physiotherapist|nurse|midwife|vet|lawyer|solicitor|attorney|accountant|agent|"
    r"realtor|plumber|electrician|builder|cleaner|nanny|babysitter|childminder|carer|caregiver|contact|mentor|"
    r"mentee|crush|pen ?pal"
)

#: Words spaCy's small model tags as people or places that are, in assistant traffic, software, products or
#: assistants. Matched case-sensitively against the whole entity.
NOT_PII: frozenset[str] = frozenset(
    """
    Tableau Salesforce Photoshop Illustrator Kindle Xbox PlayStation Nintendo Pixel iPhone iPad Galaxy Snowflake
    Databricks BigQuery Grafana Prometheus Kibana Elasticsearch Postman Swagger Webpack Vite Babel
    Email E-mail Phone Mobile Name Address Subject From To Date Sent Cc Bcc Re Fwd Attachment Signature
    Airflow Alembic Alexa All Anaconda Android Angular Ansible Apache AWS Azure Bard Bash Best Blender
    Boolean Celery ChatGPT Cheers Chrome Claude Clojure Conda Copilot Cortana CSS Cython Dart Debian Deno
    Django Docker Earth Elixir Emacs Erlang Everyone Excel FastAPI Fedora Figma Firefox Flask Flutter Friday
    Gatsby Gemini Git GitHub GitLab Go Golang GPT Hadoop Haskell Hello Heroku HTML Hugo iOS Java JavaScript
    Jekyll Jenkins Jira JSON Julia Jupiter Jupyter Kafka Keras Kotlin Kubernetes Lambda Linux Llama Lua
    macOS Madam Markdown Mars Matlab Mercury Mistral Monday MongoDB Moon Mypy MySQL Neptune Netlify Nginx
    Node Notion Numba NumPy Outlook Pandas Perl Pip Pluto Poetry Postgres PostgreSQL PowerPoint Pydantic
    Pytest Python PyTorch React Redis Regards Regex Ruby Ruff Rust Safari Saturday Saturn Scala SciPy Sir
    Siri Slack Spark Sphinx SQLAlchemy SQLite Sun Sunday Svelte Swift Team TensorFlow Terraform Thanks There
    Thursday Trello Tuesday TypeScript Ubuntu Unicode Unity Uranus Venus Vercel Vim Vue Wednesday Windows
    Word World Xcode YAML Zoom Zsh
    """.split()  # noqa: SIM905
)

#: Census first names that are, far more often, ordinary English words, months, titles or product names.
COMMON_WORDS: frozenset[str] = frozenset(
    """
    ada al all alpha amber an angel any april art as at august autumn baker bank banks baron basil bee berry
    best beta bill bird bishop black blue bo brown buck bud buddy by can candy cannot carter case cash
    chance charity chase cherry christian christmas clay cliff colonel cook cooper could crystal daisy dale
    dawn deacon dean dear december dee del dell delta destiny do don dr drew duke dusty dutch earl earnest
    easter echo ed else english ever faith february felicity fisher ford forest fox frank french friday
    gamma gay gene general german ginger glen go gold golden golf grace gray green grey guy happy harmony
    hawk hazel he heath hello her here hey hi hill him his holly honey honor hope hotel how hunter in india
    iris irish is it ivy jack jade january jasmine jay jean jewel jo joy judge julia juliet july june
    justice kay kilo king kit lamb lane lee les liberty lily lima lincoln long love lovely lu lucky madam
    magic major march mark marvel mason max may me melody mercy merry might miles miller miss mister misty
    monday mr mrs ms must my ned nick no noble noel not november october ok okay olive omega on or oscar
    page papa park parker pascal pastor pat patience pearl penny pepper pink porter post precious press
    price prince print prof prudence quebec rain ray read red rex rich river rock rocky rod romeo rose
    rosemary royal ruby rule run rusty sage sandy saturday say see september serenity set shadow shall she
    ship short should sierra sign silver sir sky so sol sort special spirit spring star start state stay
    step sterling stone stop storm story street study style sue sugar sum summer sun sunday sunny table tale
    talk tango taylor tell test text than thank that them theme then there they thing think this thursday
    time tip title today top total touch tour town track trade train travel treasure tree trend trial
    trinity trip trust truth try tuesday turn turner ty type uniform unique unit us use user val value van
    victor victory view violet visit voice von wait walk walker want war watch water wave way we wednesday
    week welcome well wendy west what when where which whiskey white who why will winnie winter wish wolf
    wood woody word work world worth would write yankee year yes yesterday young zip zulu
    """.split()  # noqa: SIM905
)

#: Places that are also census first names: there the NER model's call (a place) is kept.
PLACE_NAMES: frozenset[str] = frozenset(
    """
    adelaide africa alexandria america argentina arizona asia augusta aurora austin berlin bolivia brooklyn
    camden carolina chad charlotte chelsea chile china cleveland columbia cuba dakota dallas denver eugene
    florence florida geneva georgia guinea hamilton helena houston hudson india indiana israel jackson
    jamaica jersey jordan kansas kenya lebanon lima lincoln lorraine madison mali malta marion memphis milan
    monaco montana nevada niger orlando paris peru phoenix raleigh regina reno richmond salvador santiago
    savannah sierra sofia sydney tennessee troy tulsa tyler valencia vermont victoria vienna virginia
    washington wyoming york
    """.split()  # noqa: SIM905
)
