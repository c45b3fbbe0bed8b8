"""The fixed vocabularies of evaluation set 2 (``benchmarks/pii_mimesis.py``): locales, confusers, particles, titles."""

from __future__ import annotations

LOCALES = (
    "en", "en-gb", "en-au", "en-ca", "de", "de-at", "de-ch", "fr", "es", "es-mx", "it", "nl", "nl-be", "pt",
    "pt-br", "pl", "sv", "da", "no", "fi", "cs", "hu", "tr",
)  # fmt: skip

PUBLIC_FIGURES = (
    "Angela Merkel", "Albert Einstein", "Marie Curie", "Nelson Mandela", "Barack Obama", "Abraham Lincoln",
    "Winston Churchill", "Mahatma Gandhi", "Frida Kahlo", "Leonardo da Vinci", "Ludwig van Beethoven",
    "Wolfgang Amadeus Mozart", "Isaac Newton", "Charles Darwin", "Ada Lovelace", "Alan Turing", "Serena Williams",
    "Lionel Messi", "Cristiano Ronaldo", "Taylor Swift", "Beyoncé", "Elon Musk", "Bill Gates", "Steve Jobs",
    "Oprah Winfrey", "Martin Luther King Jr.", "Queen Elizabeth II", "Napoleon Bonaparte", "Julius Caesar",
    "Cleopatra", "William Shakespeare", "Jane Austen", "Vincent van Gogh", "Pablo Picasso", "Simone de Beauvoir",
    "Gabriel García Márquez", "Emmanuel Macron", "Justin Trudeau", "Jacinda Ardern", "Greta Thunberg",
    "Stephen Hawking", "Nikola Tesla", "Florence Nightingale", "Galileo Galilei", "Karl Marx", "Sigmund Freud",
    "Rosa Parks", "Malala Yousafzai", "Usain Bolt", "Roger Federer", "Michael Jordan", "Meryl Streep",
    "Tom Hanks", "Agatha Christie", "J. K. Rowling", "George Washington", "Joan of Arc", "Confucius",
)  # fmt: skip
COUNTRIES = (
    "Hungary", "United States", "Germany", "France", "Brazil", "Japan", "Canada", "Mexico", "India", "Kenya",
    "Portugal", "the Netherlands", "Poland", "Sweden", "Norway", "Turkey", "Australia", "New Zealand", "Spain",
    "Italy", "Egypt", "Argentina", "South Korea", "Vietnam", "Ireland", "Switzerland", "Greece", "Chile",
)  # fmt: skip
STATES = (
    "California", "Texas", "Bavaria", "Ontario", "Quebec", "New South Wales", "Catalonia", "Lombardy", "Florida",
    "Queensland", "Saxony", "Andalusia", "British Columbia", "Victoria", "New York State", "Tuscany",
)  # fmt: skip
GENERIC_CITIES = (
    "Paris", "London", "Tokyo", "Rome", "Berlin", "Madrid", "Lisbon", "Vienna", "Prague", "Budapest", "Amsterdam",
    "New York", "Chicago", "Toronto", "Sydney", "Istanbul", "Barcelona", "Venice", "Kyoto", "Cairo",
)  # fmt: skip
ORGS = (
    "Google", "Microsoft", "the Red Cross", "UNESCO", "the World Health Organization", "NASA", "Amazon",
    "the European Union", "Siemens", "Toyota", "the United Nations", "Wikipedia", "OpenAI", "Mozilla", "IKEA",
)  # fmt: skip
PRODUCTS = (
    "iPhone 15", "Lego", "PlayStation 5", "Kindle", "Tesla Model 3", "Excel", "Photoshop", "Raspberry Pi",
    "ThinkPad", "Nintendo Switch", "Spotify", "Instant Pot", "Airbnb", "WhatsApp", "Zoom",
)  # fmt: skip
TECH = (
    "GPU", "Training", "Kubernetes", "PostgreSQL", "TensorFlow", "Docker", "Redis", "Transformer", "Gradient",
    "Provide", "Explain", "Parse", "Deploy", "Kafka", "React", "Terraform", "NumPy", "Markdown", "Regex",
)  # fmt: skip
CODE_IDS = (
    "getUserName", "parse_json", "MAX_RETRIES", "UserProfile", "fetchOrders()", "self.session", "HttpClient",
    "load_config", "ORDER_STATUS", "isValidEmail", "customer_id", "AddressBook", "sendMessage", "RateLimiter",
)  # fmt: skip
HISTORY = (
    "July 20, 1969", "1066", "9 November 1989", "June 6, 1944", "1492", "14 July 1789", "the 4th of July 1776",
    "April 15, 1912", "11 September 2001", "1815", "August 1945", "October 1917",
)  # fmt: skip
PARTICLES = (
    "van", "van der", "van den", "de", "de la", "del", "da", "dos", "das", "ter", "ten", "von", "von der", "zu",
    "di", "du", "le", "bin", "binti", "ibn", "al-", "Mac", "O'", "St.", "della", "af", "av",
)  # fmt: skip
TITLES_EN = ("Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Mx.")
TITLES_OTHER = (
    "Herr",
    "Frau",
    "Monsieur",
    "Madame",
    "Señor",
    "Señora",
    "Signora",
    "Dott.",
    "Sra.",
    "Sr.",
    "Pan",
    "Pani",
)
