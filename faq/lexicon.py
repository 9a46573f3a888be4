"""Language and domain knowledge for the FAQ matcher, kept as plain data.

Everything here is general: Indonesian chat abbreviations, greetings and function words,
LPSE/SPSE vocabulary and its synonyms, and an English -> Indonesian domain lexicon. Nothing
is written for a particular query. Canonical terms are Indonesian roots (``tawar`` for
penawaran, ``daftar`` for pendaftaran/registrasi) or joined concept tokens (``userid``,
``password``, ``bataswaktu``) so that every wording of a concept meets the same term.
"""

from __future__ import annotations


def _word_set(text: str) -> frozenset[str]:
    """Whitespace-separated words as a set (keeps long word lists readable)."""
    return frozenset(text.split())


# The tables below are data, packed several entries to a line so that a reviewer sees a
# group of related spellings at once; the formatter would put each on a line of its own.
# fmt: off
# Chat abbreviations and informal spellings -> standard Indonesian (may be several words).
# Applied per token before phrases, so "gk bs" becomes "tidak bisa" and phrases still match.
ABBREVIATIONS: dict[str, str] = {
    # pronouns and people
    "sy": "saya", "sya": "saya", "aq": "aku", "gw": "saya", "gue": "saya", "gua": "saya",
    "km": "kamu", "kmu": "kamu", "lu": "kamu", "lo": "kamu", "org": "orang",
    "kk": "kakak", "kak": "kakak", "bpk": "bapak", "ibu2": "ibu",
    # question words
    "gmn": "bagaimana", "gmna": "bagaimana", "gmana": "bagaimana", "gimana": "bagaimana",
    "bgmn": "bagaimana", "bgm": "bagaimana", "gmnya": "bagaimana", "gimn": "bagaimana",
    "knp": "kenapa", "napa": "kenapa", "ngapa": "kenapa", "knpa": "kenapa",
    "brp": "berapa", "brapa": "berapa", "brpa": "berapa", "kpn": "kapan", "kapn": "kapan",
    "dmn": "di mana", "dmna": "di mana", "dimn": "di mana", "dimana": "di mana",
    "kmn": "ke mana", "kmna": "ke mana", "kemana": "ke mana", "drmn": "dari mana",
    "sapa": "siapa", "spa": "siapa", "ap": "apa", "apaan": "apa",
    # negation and aspect
    "gk": "tidak", "ga": "tidak", "gak": "tidak", "g": "tidak", "gx": "tidak", "ngga": "tidak",
    "nggak": "tidak", "enggak": "tidak", "engga": "tidak", "ndak": "tidak", "nda": "tidak",
    "tdk": "tidak", "tak": "tidak", "ngk": "tidak", "kagak": "tidak", "gabisa": "tidak bisa",
    "gbs": "tidak bisa", "gakbisa": "tidak bisa", "gaada": "tidak ada", "gada": "tidak ada",
    "blm": "belum", "belom": "belum", "blom": "belum", "lom": "belum",
    "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah", "uda": "sudah",
    "sdah": "sudah", "udahan": "sudah", "lg": "lagi", "lgi": "lagi", "msh": "masih",
    "masi": "masih", "mash": "masih", "sdg": "sedang", "lgsg": "langsung", "lgsung": "langsung",
    "bkn": "bukan", "bukn": "bukan",
    # connectives and small words
    "yg": "yang", "yng": "yang", "dgn": "dengan", "dg": "dengan", "dngn": "dengan",
    "utk": "untuk", "untk": "untuk", "tuk": "untuk", "u/": "untuk", "dr": "dari", "dri": "dari",
    "kpd": "kepada", "dlm": "dalam", "pd": "pada", "krn": "karena", "karna": "karena",
    "krna": "karena", "soalnya": "karena", "klo": "kalau", "kalo": "kalau", "kl": "kalau",
    "kalu": "kalau", "jk": "jika", "tp": "tapi", "tpi": "tapi", "trs": "terus", "trus": "terus",
    "jd": "jadi", "jdi": "jadi", "jg": "juga", "jga": "juga", "sm": "sama", "ama": "sama",
    "aja": "saja", "aj": "saja", "ajah": "saja", "ato": "atau", "atw": "atau", "atu": "atau",
    "spt": "seperti", "kyk": "seperti", "kayak": "seperti", "kaya": "seperti",
    "gitu": "begitu", "gt": "begitu", "gini": "begini", "ni": "ini", "nih": "ini",
    "tu": "itu", "tuh": "itu", "sblm": "sebelum", "sblum": "sebelum", "stlh": "setelah",
    "ssdh": "sesudah", "abis": "habis", "smpe": "sampai", "sampe": "sampai", "smpai": "sampai",
    "ampe": "sampai", "pdhl": "padahal", "pdhal": "padahal", "emg": "memang", "emang": "memang",
    "bgt": "banget", "bngt": "banget", "bnyk": "banyak", "bbrp": "beberapa", "sdkt": "sedikit",
    "dl": "dulu", "dlu": "dulu", "ntar": "nanti", "ntr": "nanti", "bsk": "besok",
    "td": "tadi", "tdi": "tadi", "kmrn": "kemarin", "kemaren": "kemarin", "skrg": "sekarang",
    "skrng": "sekarang", "skr": "sekarang", "skrang": "sekarang", "sbntr": "sebentar",
    "bs": "bisa", "bsa": "bisa", "bisaa": "bisa", "hrs": "harus", "hrus": "harus",
    "blh": "boleh", "bole": "boleh", "dpt": "dapat", "dapet": "dapat", "ttg": "tentang",
    "mnrt": "menurut", "sbg": "sebagai", "spy": "supaya", "biar": "supaya", "lwt": "lewat",
    "pke": "pakai", "pake": "pakai", "make": "pakai", "mo": "mau", "mau": "mau",
    "pengen": "ingin", "pgn": "ingin", "pengin": "ingin", "mksd": "maksud", "maksudnya": "maksud",
    "thn": "tahun", "bln": "bulan", "hr": "hari", "mgg": "minggu", "tgl": "tanggal",
    "nmr": "nomor", "no": "nomor", "jt": "juta", "rb": "ribu",
    # politeness and fillers
    "mhn": "mohon", "tlg": "tolong", "tolongin": "tolong", "plis": "tolong", "pls": "tolong",
    "please": "tolong", "makasih": "terima kasih", "mksh": "terima kasih",
    "makasi": "terima kasih", "trims": "terima kasih", "trimakasih": "terima kasih",
    "terimakasih": "terima kasih", "tq": "terima kasih", "thx": "terima kasih",
    "tks": "terima kasih", "ty": "terima kasih", "ass": "assalamualaikum",
    "askum": "assalamualaikum", "assalamu'alaikum": "assalamualaikum",
    "asslm": "assalamualaikum", "ok": "oke", "okey": "oke", "okay": "oke", "sip": "oke",
    # South Sumatran (Palembang Malay) chat, as the office's users write it
    "dak": "tidak", "idak": "tidak", "dk": "tidak", "lamo": "lama", "apo": "apa",
    "mano": "mana", "dimano": "di mana", "kemano": "ke mana", "cakmano": "bagaimana",
    "kagek": "nanti", "galak": "mau", "wong": "orang", "kito": "kita", "sayo": "saya",
    "nian": "banget", "pacak": "bisa", "ngurus": "urus", "ngurusin": "urus",
    # domain shorthand
    "pw": "password", "pwd": "password", "pass": "password", "passwd": "password",
    "paswd": "password", "pswd": "password", "verif": "verifikasi", "ver": "verifikasi",
    "dok": "dokumen", "doc": "dokumen", "docs": "dokumen", "dokumn": "dokumen",
    "perush": "perusahaan", "prshn": "perusahaan", "pemkab": "pemerintah",
    "kab": "kabupaten", "krm": "kirim", "upld": "upload",
    "info": "informasi", "infonya": "informasi", "lemot": "lambat", "lelet": "lambat",
    "kelar": "selesai", "beres": "selesai", "kekunci": "terkunci", "ttd": "tanda tangan",
    "sharelok": "lokasi", "shareloc": "lokasi", "hp": "ponsel", "wa": "whatsapp",
    "email2": "email", "imel": "email", "emel": "email",
    # Broader chat spelling (lexicon-broad): more question words, negation, time words and verbs
    # as people type them; only spellings with one reading.
    "gimane": "bagaimana", "bgmana": "bagaimana", "knapa": "kenapa", "dmana": "di mana",
    "mn": "mana", "gag": "tidak", "ngak": "tidak", "nggk": "tidak", "ndk": "tidak",
    "kaga": "tidak", "gakada": "tidak ada", "gkada": "tidak ada", "gbisa": "tidak bisa",
    "gkbisa": "tidak bisa", "tdkbisa": "tidak bisa", "blum": "belum", "belon": "belum",
    "entar": "nanti", "nnt": "nanti", "sblmnya": "sebelumnya", "stlah": "setelah", "sj": "saja",
    "sgt": "sangat", "krg": "kurang", "lbh": "lebih", "smua": "semua", "smw": "semua",
    "ttp": "tetap", "tetep": "tetap", "lsg": "langsung", "lgs": "langsung", "mngkn": "mungkin",
    "mgkn": "mungkin", "kayanya": "sepertinya", "kyknya": "sepertinya", "mw": "mau", "mao": "mau",
    "tau": "tahu", "nyampe": "sampai", "nyampai": "sampai", "ngapain": "apa", "diapain": "apa",
    "diapakan": "apa", "ane": "saya", "kmi": "kami", "mksi": "terima kasih",
    "mkasih": "terima kasih", "tengkyu": "terima kasih",
    # Javanese chat (question words, negation, aspect, politeness)
    "piye": "bagaimana", "kepiye": "bagaimana", "kepriye": "bagaimana", "pripun": "bagaimana",
    "opo": "apa", "nopo": "apa", "sopo": "siapa", "piro": "berapa", "pinten": "berapa",
    "endi": "mana", "ngendi": "mana", "pundi": "mana", "ora": "tidak", "mboten": "tidak",
    "durung": "belum", "dereng": "belum", "wis": "sudah", "uwis": "sudah", "wes": "sudah",
    "uwes": "sudah", "sampun": "sudah", "arep": "mau", "saget": "bisa", "kudu": "harus",
    "nyuwun": "mohon", "tulung": "tolong", "suwun": "terima kasih", "nuwun": "terima kasih",
    "nggih": "ya", "inggih": "ya",
    # Sundanese chat
    "kumaha": "bagaimana", "naon": "apa", "kunaon": "kenapa", "iraha": "kapan",
    "sabaraha": "berapa", "teu": "tidak", "acan": "belum", "tos": "sudah", "tiasa": "bisa",
    "abdi": "saya", "nuhun": "terima kasih", "punten": "permisi",
    # South Sumatran (Palembang Malay) and Betawi chat
    "ngapo": "kenapa", "siapo": "siapa", "berapo": "berapa", "camano": "bagaimana",
    "makmano": "bagaimana", "dakdo": "tidak ada", "ado": "ada", "nak": "mau", "kaba": "kamu",
    "dio": "dia", "galo": "semua", "dewek": "sendiri", "dewekan": "sendiri", "cubo": "coba",
    "nape": "kenapa", "ape": "apa", "aye": "saya", "udeh": "sudah", "nyang": "yang",
    "ogah": "tidak mau", "mesti": "harus",
    # Domain spellings: e- words typed joined, credentials, verification, documents
    "ecatalogue": "ekatalog", "ecatalog": "ekatalog", "ecat": "ekatalog", "eproc": "spse",
    "eprocurement": "spse", "etender": "tender", "etendering": "tender", "elelang": "tender",
    "emeterai": "meterai", "ektp": "ktp", "uname": "username", "usrname": "username",
    "usernm": "username", "usename": "username", "pwnya": "password", "passw": "password",
    "pasw": "password", "pasword": "password", "paswod": "password", "passwod": "password",
    "passwrd": "password", "akon": "akun", "acount": "akun", "akunt": "akun",
    "diverif": "diverifikasi", "terverif": "terverifikasi", "verifnya": "verifikasi",
    "verifin": "verifikasi", "diverifin": "diverifikasi", "verivikasi": "verifikasi",
    "ferifikasi": "verifikasi", "verfikasi": "verifikasi", "verifkasi": "verifikasi",
    "praverifikasi": "pra verifikasi", "regis": "registrasi", "dftr": "daftar", "daptar": "daftar",
    "pendaptaran": "pendaftaran", "tlp": "telepon", "telp": "telepon", "tlpn": "telepon",
    "telfon": "telepon", "tilpon": "telepon", "wasap": "whatsapp", "watsap": "whatsapp",
    "whatsap": "whatsapp", "tele": "telegram", "pbj": "pengadaan", "barjas": "barang jasa",
    "kadis": "kepala dinas",
    # more fillers and spellings
    "plz": "tolong", "tlong": "tolong", "mhon": "mohon", "mohn": "mohon", "trnyta": "ternyata",
    "kek": "seperti", "maning": "lagi", "meneh": "lagi", "prov": "provinsi",
}

# Greetings, politeness, chat particles and function words (Indonesian and English): dropped.
STOPWORDS: frozenset[str] = _word_set(
    """
    yang dan di ke dari untuk pada dengan dalam menyatakan dinyatakan ini itu ada apa apakah
    bagaimana kenapa mengapa
    berapa kapan siapa saya kami kita anda aku kamu dia mereka beliau ya iya dong sih deh
    kok kah lah pun nya tolong mohon terima kasih selamat pagi siang sore malam halo hallo
    hai hi hei hey hello assalamualaikum waalaikumsalam wassalam salam pak bu bapak ibu min
    admin kakak mas mbak gan sis bro om yth kepada hormat sudah belum akan bisa dapat juga
    atau tapi tetapi namun karena jadi lagi sama saja masih sangat banget terus hanya cuma
    seperti bila jika kalau agar supaya sebagai oleh para tersebut tsb sebuah suatu begitu
    begini hehe wkwk haha hihi oke sip mau ingin maksud nah lho loh kan toh ayo yuk
    sebenarnya memang padahal tadi kemarin sekarang nanti besok dulu udahan mungkin
    kira kiranya sekitar tentang apabila ketika saat waktunya nih tuh bagaimanakah maaf
    permisi sebelumnya bantuannya bantuan pencerahannya infonya arahannya informasinya
    sekali agak cukup lebih kurang paling semua semuanya setiap beberapa banyak sedikit
    hal orang sedang baru-baru adalah ialah yaitu yakni merupakan bahwa kalian kak kaka
    harus perlu boleh bolehkah bisakah apakah haruskah perlukah dapatkah bukan tidak belum
    gimana kayaknya sepertinya kah dll dsb dst dkk ttd sbb lalu selalu semoga sehat
    kemudian sejak sesudah setelah sebelum selama sampai hingga telah pernah bahkan
    sendiri bilang bagi guna gunanya sebaiknya baiknya lewat bot sini situ
    the a an is are was were be been being am do does did doing i we you he she it they me
    us him her them my our your his its their mine ours this that these those there here
    to of in on at for with and or but so if then than as by from about into over under
    can could would should will shall may might must how what which where when why who whom
    whose any some all each every no yes not any please hi hello hey dear thanks thank good
    morning afternoon evening regards just still already also only very really too quite
    there's it's i'm we're what's how's don't doesn't can't cannot won't isn't aren't
    have has had having get got getting let lets want wanted need needs needed like would
    kind sir madam mr mrs ms team anyone someone something anything way ok okay noted
    fine great nice cool
    wae ae mah tho je mimin buk ibuk mba teh bang abang sob gaes guys cuy yah yak wr wb
    warahmatullahi wabarakatuh chatbot after before during instead else even though ever
    never via through anymore yet enough happen happens happened say says said allow allowed
    permitted keeps btw fyi cmiiw bae yo regarding concerning berkali
    """
)

# Multi-word expressions -> one canonical term ("" drops the phrase: pure politeness).
# Matched on the token sequence after abbreviation expansion, longest first.
PHRASES: dict[str, str] = {
    # politeness and greetings
    "terima kasih": "", "mohon bantuannya": "", "mohon bantuan": "", "dengan hormat": "",
    "salam hormat": "", "mohon info": "", "mohon informasi": "", "mohon arahan": "",
    "mohon petunjuk": "", "mohon penjelasan": "", "thank you": "", "good morning": "",
    "good afternoon": "", "good evening": "", "selamat pagi": "", "selamat siang": "",
    "selamat sore": "", "selamat malam": "", "best regards": "", "kind regards": "",
    # guarantees and advances of contracts (topics of other offices, see NEIGHBOUR_TERMS)
    "jaminan penawaran": "jaminanpenawaran", "jaminan pelaksanaan": "jaminanpelaksanaan",
    "jaminan uang muka": "jaminanuangmuka", "jaminan pemeliharaan": "jaminanpemeliharaan",
    "uang muka": "uangmuka", "garansi bank": "garansibank", "bank garansi": "garansibank",
    "uang persediaan": "uangpersediaan",
    # accounts and credentials
    "kata sandi": "password", "kata kunci": "password", "kata sandinya": "password",
    "user id": "userid", "user idnya": "userid", "user name": "userid", "nama pengguna": "userid",
    "id pengguna": "userid", "nama user": "userid", "id user": "userid", "nama login": "userid",
    "login name": "userid", "login id": "userid", "user login": "userid",
    "tidak ingat": "lupa", "tidak inget": "lupa", "lupa lupa": "lupa",
    "tidak diingat": "lupa", "tidak teringat": "lupa", "tidak dapat mengingat": "lupa",
    "tidak bisa mengingat": "lupa", "tidak mengingat": "lupa", "tak ingat": "lupa",
    "log in": "login", "sign in": "login", "logged in": "login", "masuk akun": "login",
    "sign up": "daftar", "signing up": "daftar", "e mail": "email", "surat elektronik": "email",
    "alamat email": "email", "email address": "email", "non aktif": "nonaktif",
    "tidak aktif": "nonaktif", "ke kunci": "terkunci", "tidak valid": "invalid",
    "not valid": "invalid", "tidak berlaku": "kedaluwarsa", "daftar hitam": "daftarhitam",
    "black list": "daftarhitam", "tidak bisa login": "gagal login",
    "tidak bisa masuk": "gagal login", "cannot log": "gagal login", "tidak bisa": "gagal",
    "tidak kebuka": "gagal buka", "tidak terbuka": "gagal buka",
    "tidak kebuka kebuka": "gagal buka",
    "tidak dapat": "gagal", "cannot": "gagal", "can't": "gagal", "unable to": "gagal",
    "could not": "gagal", "not able to": "gagal",
    # roles and organisations
    "pejabat pembuat komitmen": "ppk", "commitment making official": "ppk",
    "commitment official": "ppk", "kelompok kerja": "pokja", "working group": "pokja",
    "procurement committee": "pokja", "selection committee": "pokja",
    "unit layanan pengadaan": "pokja",
    "unit kerja pengadaan barang jasa": "pokja", "perangkat daerah": "instansi",
    "satuan kerja": "instansi", "government agency": "instansi", "government office": "instansi",
    "government offices": "instansi", "pelaku usaha": "penyedia", "badan usaha": "badanusaha",
    "business entity": "badanusaha", "legal entity": "badanusaha", "sole proprietor": "perorangan",
    "self employed": "perorangan", "pejabat pengadaan": "pejabatpengadaan",
    # SPSE's own words for government users and their credentials
    "non penyedia": "instansi", "nonpenyedia": "instansi",
    "bukan penyedia": "instansi", "bukan rekanan": "instansi", "bukan vendor": "instansi",
    "procurement official": "pejabatpengadaan",
    # systems
    "e katalog": "ekatalog", "katalog elektronik": "ekatalog", "e catalogue": "ekatalog",
    "e catalog": "ekatalog", "online catalogue": "ekatalog", "online catalog": "ekatalog",
    "electronic catalogue": "ekatalog", "electronic catalog": "ekatalog",
    "e purchasing": "epurchasing", "toko daring": "tokodaring", "bela pengadaan": "belapengadaan",
    "sistem informasi kinerja penyedia": "sikap", "sistem pengadaan secara elektronik": "spse",
    "layanan pengadaan secara elektronik": "lpse", "pengadaan secara elektronik": "spse",
    "aplikasi pengadaan elektronik": "spse", "pengadaan elektronik": "spse",
    "e procurement": "spse", "aplikasi lelang": "spse", "lelang elektronik": "spse",
    "e proc": "spse", "rencana umum pengadaan": "rup",
    # procurement procedure
    "pengadaan langsung": "pl", "direct procurement": "pl",
    "penunjukan langsung": "penunjukanlangsung",
    "direct appointment": "penunjukanlangsung", "non tender": "nontender",
    "pakta integritas": "pakta", "integrity pact": "pakta", "anti korupsi": "korupsi",
    "sanggah banding": "sanggahbanding", "rapat penjelasan": "aanwijzing",
    "cak mana": "", "tenggat waktu": "bataswaktu", "tenggat": "bataswaktu",
    "jam penutupan": "bataswaktu", "waktu indonesia": "zonawaktu",
    "badan hukum": "badanusaha", "berbadan hukum": "badanusaha", "kata kunci masuk": "password",
    "pre bid": "aanwijzing", "batas waktu": "bataswaktu", "batas akhir": "bataswaktu",
    "jadwal pemasukan": "bataswaktu", "time limit": "bataswaktu", "due date": "bataswaktu",
    "kode lelang": "kodetender", "kode tender": "kodetender", "kode paket": "kodetender",
    "tender code": "kodetender", "package code": "kodetender", "tender id": "kodetender",
    "nomor paket": "kodetender", "id paket": "kodetender", "surat kuasa": "suratkuasa",
    "power of attorney": "suratkuasa", "letter of authority": "suratkuasa",
    "authorization letter": "suratkuasa", "authorisation letter": "suratkuasa",
    "on behalf": "wakil", "on his behalf": "wakil", "on her behalf": "wakil",
    "on behalf of": "wakil", "in place of": "wakil", "tanda tangan": "tandatangan",
    "izin usaha": "izin", "business license": "izin", "business licence": "izin",
    "business permit": "izin", "tenaga ahli": "tenagaahli", "expert staff": "tenagaahli",
    "key personnel": "tenagaahli", "experts": "tenagaahli",
    "tanda tangan basah": "tandatangan", "dokumen asli": "dokumenasli",
    "original documents": "dokumenasli", "original document": "dokumenasli",
    "berkas asli": "dokumenasli", "kirim ulang": "kirimulang", "upload ulang": "kirimulang",
    "unggah ulang": "kirimulang", "re upload": "kirimulang", "re submit": "kirimulang",
    "resubmit": "kirimulang", "reupload": "kirimulang",
    # time and place
    "zona waktu": "zonawaktu", "time zone": "zonawaktu", "waktu server": "waktuserver",
    "jam server": "waktuserver", "server time": "waktuserver", "server clock": "waktuserver",
    "jam layanan": "jamlayanan", "jam kerja": "jamlayanan", "jam kantor": "jamlayanan",
    "jam buka": "jamlayanan", "jam operasional": "jamlayanan", "hari kerja": "jamlayanan",
    "office hours": "jamlayanan", "opening hours": "jamlayanan", "business hours": "jamlayanan",
    "working hours": "jamlayanan", "service hours": "jamlayanan", "opening times": "jamlayanan",
    "hak akses": "akun akses", "access rights": "akun akses", "berapa waktu": "durasi",
    "berapa lama waktu": "durasi", "how long": "durasi", "berapa lama": "durasi",
    "berapa jam": "durasi",
    "berapa hari": "durasi", "berapa menit": "durasi", "berapa minggu": "durasi",
    "lama proses": "durasi", "waktu proses": "durasi", "butuh waktu": "durasi",
    "membutuhkan waktu": "durasi", "dibutuhkan waktu": "durasi", "memakan waktu": "durasi",
    "makan waktu": "durasi", "waktu yang dibutuhkan": "durasi", "waktu yang diperlukan": "durasi",
    "how many days": "durasi", "how many hours": "durasi", "how many minutes": "durasi",
    "masuk ke spse": "login spse", "masuk spse": "login spse", "masuk ke lpse": "login lpse",
    "masuk lpse": "login lpse", "masuk ke akun": "login akun", "masuk ke sistem": "login",
    "masuk ke aplikasi": "login", "masuk aplikasi": "login", "masuk ke situs": "login",
    "gagal masuk": "gagal login", "bisa masuk": "login", "sudah lewat": "terlambat",
    "lewat batas": "terlambat", "lewat jam": "terlambat", "sedang dinas": "pergi",
    "lagi dinas": "pergi", "perjalanan dinas": "pergi", "dinas luar": "pergi",
    "tugas luar": "pergi", "luar daerah": "luardaerah",
    "luar kota": "luardaerah", "luar provinsi": "luardaerah", "luar kabupaten": "luardaerah",
    "luar negeri": "luarnegeri", "based in": "domisili", "located in": "domisili",
    "another city": "luardaerah", "other city": "luardaerah", "outside the region": "luardaerah",
    "lpse lain": "lpselain", "another lpse": "lpselain", "other lpse": "lpselain",
    "different lpse": "lpselain", "kotak masuk": "inbox", "help desk": "helpdesk",
    "customer service": "helpdesk", "call center": "helpdesk", "layanan pelanggan": "helpdesk",
    "user manual": "panduan", "buku panduan": "panduan", "bimbingan teknis": "latih",
    # documents and data
    "akta perubahan": "akta ubah", "amended deed": "akta ubah", "deed of amendment": "akta ubah",
    "surat permohonan": "suratpermohonan", "request letter": "suratpermohonan",
    "application letter": "suratpermohonan", "cover letter": "suratpermohonan",
    "kop surat": "kop", "letterhead": "kop", "status wajib pajak": "kswp",
    "tax status": "kswp", "tax compliance": "kswp", "tax id": "npwp", "tax number": "npwp",
    "ukuran file": "ukuran", "file size": "ukuran", "batas ukuran": "ukuran",
    # Broader phrases (lexicon-broad). Chat politeness in regional languages
    "matur nuwun": "", "hatur nuhun": "", "kados pundi": "", "macam mana": "",
    # credentials: resetting, unlocking, the caps lock key ("lock" alone means blocked)
    "atur ulang": "reset", "setel ulang": "reset", "reset ulang": "reset", "unlock": "buka blokir",
    "unlocked": "buka blokir", "unblock": "buka blokir", "unblocked": "buka blokir",
    "locked out": "blokir", "caps lock": "capslock", "logging in": "login", "log on": "login",
    "alamat surel": "email", "kotak surat": "inbox", "masa berlaku habis": "kedaluwarsa",
    "habis masa berlaku": "kedaluwarsa",
    # an official or a staff member leaving: resigning is not a postponement ("mengundurkan"
    # alone stems to undur), dying is not "ditinggal" (meninggal stems to tinggal)
    "mengundurkan diri": "keluar", "undur diri": "keluar", "berhenti bekerja": "keluar",
    "berhenti kerja": "keluar", "left the company": "keluar", "pindah tugas": "mutasi",
    "alih tugas": "mutasi", "pindah jabatan": "mutasi", "purna tugas": "pensiun",
    "purna bakti": "pensiun", "meninggal dunia": "meninggal", "passed away": "meninggal",
    # deadlines and late submissions ("nyusul" = sent after the others)
    "batas pemasukan": "bataswaktu", "cut off": "bataswaktu", "closing date": "bataswaktu",
    "closing time": "bataswaktu", "submission deadline": "bataswaktu",
    "upload susulan": "unggah terlambat", "kirim susulan": "kirim terlambat",
    "penawaran susulan": "tawar terlambat", "nyusul upload": "unggah terlambat",
    "upload nyusul": "unggah terlambat", "nyusul kirim": "kirim terlambat",
    "kirim nyusul": "kirim terlambat", "ketinggalan jadwal": "terlambat", "time out": "koneksi",
    "timed out": "koneksi", "timing out": "koneksi", "times out": "koneksi",
    "inaccessible": "gagal akses", "unreachable": "gagal akses",
    # procedure words and their common misspellings; "banding" only as a word of its own
    # (membandingkan, to compare, stems to it)
    "fakta integritas": "pakta", "banding": "sanggahbanding",
    "penunjukkan langsung": "penunjukanlangsung", "re tender": "tender ulang",
    "retender": "tender ulang", "retendering": "tender ulang",
    "pre verification": "pra verifikasi", "pre qualification": "kualifikasi",
    "post qualification": "kualifikasi", "tatap muka": "datang", "in person": "datang",
    "face to face": "datang", "spam kodok": "spamkodok", "id tender": "kodetender",
    "id lelang": "kodetender", "nomor tender": "kodetender", "nomor lelang": "kodetender",
    "package number": "kodetender", "package id": "kodetender",
    # budget roles and plans (other offices' topics: "kuasa" alone is a power of attorney)
    "kuasa pengguna anggaran": "kpa", "pengguna anggaran": "pa", "budget user": "pa",
    "budget user proxy": "kpa", "authorized budget user": "kpa", "procurement plan": "rup",
    "general procurement plan": "rup", "harga perkiraan sendiri": "hps", "owner estimate": "hps",
    "owner s estimate": "hps", "engineer estimate": "hps", "self estimate": "hps",
    "performance bond": "jaminanpelaksanaan", "performance guarantee": "jaminanpelaksanaan",
    "bid bond": "jaminanpenawaran", "bid security": "jaminanpenawaran",
    "bid guarantee": "jaminanpenawaran", "tender guarantee": "jaminanpenawaran",
    "advance payment": "uangmuka", "down payment": "uangmuka", "dasar hukum": "regulasi",
    "legal basis": "regulasi",
    # roles and offices under their older or English names
    "panitia lelang": "pokja", "panitia pengadaan": "pokja", "panitia tender": "pokja",
    "unit pengadaan": "pokja", "procurement unit": "pokja", "procurement service unit": "pokja",
    "procurement services unit": "pokja", "tender committee": "pokja", "bid committee": "pokja",
    "evaluation committee": "pokja", "commitment officer": "ppk", "contracting officer": "ppk",
    "pejabat pembuat komitment": "ppk", "satuan kerja perangkat daerah": "instansi",
    "organisasi perangkat daerah": "instansi", "persekutuan komanditer": "badanusaha",
    "perseroan terbatas": "badanusaha", "limited company": "badanusaha",
    # documents of a provider and of an official
    "surat keputusan": "sk", "appointment decree": "sk", "appointment letter": "sk",
    "decision letter": "sk", "letter of appointment": "sk", "kartu tanda penduduk": "ktp",
    "identity card": "ktp", "id card": "ktp", "national id": "ktp",
    "nomor pokok wajib pajak": "npwp", "tax identification number": "npwp",
    "taxpayer identification number": "npwp", "taxpayer id": "npwp", "wajib pajak": "pajak",
    "tax clearance": "kswp", "nomor induk berusaha": "nib",
    "business identification number": "nib", "surat izin usaha perdagangan": "siup",
    "trading license": "siup", "trading licence": "siup", "trade license": "siup",
    "pengusaha kena pajak": "pkp", "surat pemberitahuan tahunan": "spt", "tax return": "spt",
    "annual tax return": "spt", "dirjen pajak": "djp", "direktorat jenderal pajak": "djp",
    "kantor pajak": "djp", "tax office": "djp", "nomor induk pegawai": "nip", "employee id": "nip",
    "employee number": "nip", "akta pendirian": "akta", "akte pendirian": "akta",
    "deed of establishment": "akta", "establishment deed": "akta",
    "articles of association": "akta", "stamp duty": "meterai", "duty stamp": "meterai",
    "tangkapan layar": "screenshot", "tangkap layar": "screenshot", "cuplikan layar": "screenshot",
    "foto layar": "screenshot", "screen shot": "screenshot", "screen capture": "screenshot",
    "print screen": "screenshot",
    # telling, following up, guides
    "kasih tahu": "beritahu", "kasih tau": "beritahu", "kasi tahu": "beritahu",
    "kasi tau": "beritahu", "beri tahu": "beritahu", "memberi tahu": "beritahu",
    "diberi tahu": "beritahu", "sampai mana": "progres", "follow up": "progres",
    "tindak lanjut": "progres", "ditindak lanjuti": "progres", "petunjuk teknis": "panduan",
    "petunjuk penggunaan": "panduan", "buku petunjuk": "panduan", "buku manual": "panduan",
    "manual book": "panduan", "user guide": "panduan", "video tutorial": "panduan",
    # office hours, days off, finding the office, reaching a person
    "jam pelayanan": "jamlayanan", "jam operasi": "jamlayanan", "jam istirahat": "jamlayanan",
    "open hours": "jamlayanan", "working days": "jamlayanan", "business days": "jamlayanan",
    "tanggal merah": "libur", "cuti bersama": "libur", "hari libur": "libur",
    "akhir pekan": "libur", "public holiday": "libur", "petunjuk arah": "alamat",
    "google maps": "alamat", "titik lokasi": "alamat", "share location": "alamat",
    "nomor telepon": "kontak", "contact person": "kontak", "layanan bantuan": "helpdesk",
    "call centre": "helpdesk", "mobile phone": "ponsel", "cell phone": "ponsel",
    "telepon genggam": "ponsel", "google chrome": "chrome", "mozilla firefox": "firefox",
    "microsoft edge": "browser", "internet explorer": "browser",
    # regions: a provider from elsewhere
    "luar pulau": "luardaerah", "luar wilayah": "luardaerah", "luar sumsel": "luardaerah",
    "luar sumatera": "luardaerah", "out of town": "luardaerah",
    # award letters, certificates and other offices' documents
    "surat penunjukan penyedia barang jasa": "sppbj", "letter of award": "sppbj",
    "award letter": "sppbj", "notice of award": "sppbj", "sertifikat badan usaha": "sbu",
    "sertifikat kompetensi kerja": "skk", "pekerja lepas": "perorangan",
    "sole trader": "perorangan",
    # the government marketplaces (another office's topic), acting officials, handovers
    "online shop": "tokodaring", "online shops": "tokodaring", "online store": "tokodaring",
    "serah terima jabatan": "pengganti", "flash disk": "flashdisk",
    "istirahat siang": "jamlayanan",
    # round 3 (issue #18): software and its parts in formal Indonesian; LKPP's own support
    # desk, catalogue pre-listing and training portal (other offices' applications)
    "perangkat lunak": "aplikasi", "lpse support": "lpsesupport", "pra katalog": "prakatalog",
    "pra-katalog": "prakatalog", "kode akses": "userid password",
    # round 5: a user account in English; the provider chosen is the winner
    "user account": "userid", "penyedia terpilih": "menang", "rekanan terpilih": "menang",
}

# Indonesian synonyms and domain variants -> canonical term (surface forms and stems).
SYNONYMS: dict[str, str] = {
    # catalogue orders (a neighbouring topic): kept apart from "pesan" (a message, an error)
    "pesanan": "pesanan", "pemesanan": "pesanan", "pesanannya": "pesanan",
    # people and organisations
    "rekanan": "penyedia", "rekan": "penyedia", "vendor": "penyedia", "supplier": "penyedia",
    "kontraktor": "penyedia", "konsultan": "penyedia", "penyedia": "penyedia",
    "ulp": "pokja", "ukpbj": "pokja", "pokja": "pokja", "pokmil": "pokja",
    "opd": "instansi", "skpd": "instansi", "satker": "instansi", "dinas": "instansi",
    "instansi": "instansi", "kl": "instansi", "direksi": "direktur", "dirut": "direktur",
    "karyawan": "staf", "pegawai": "staf", "staff": "staf", "staf": "staf",
    "pribadi": "perorangan", "perseorangan": "perorangan", "individu": "perorangan",
    "perorangan": "perorangan", "cv": "badanusaha", "pt": "badanusaha", "firma": "badanusaha",
    "koperasi": "badanusaha",
    # accounts
    "username": "userid", "userid": "userid", "uid": "userid",
    "sandi": "password", "katasandi": "password", "password": "password", "sandinya": "password",
    "passwordnya": "password", "surel": "email", "e-mail": "email", "email": "email",
    "mail": "email", "gmail": "email", "registrasi": "daftar", "register": "daftar",
    "pendaftaran": "daftar", "daftar": "daftar", "terverifikasi": "verifikasi",
    "diverifikasi": "verifikasi", "verifikator": "verifikasi", "blokir": "blokir",
    "terblokir": "blokir", "diblokir": "blokir", "terkunci": "blokir", "kunci": "blokir",
    "dikunci": "blokir", "suspend": "blokir", "disuspend": "blokir", "nonaktif": "nonaktif",
    "dinonaktifkan": "nonaktif", "menonaktifkan": "nonaktif", "nonaktifkan": "nonaktif",
    "disabled": "nonaktif", "aktivasi": "aktivasi", "aktifasi": "aktivasi",
    "diaktifkan": "aktivasi", "mengaktifkan": "aktivasi", "tautan": "tautan", "link": "tautan",
    "url": "tautan", "kadaluarsa": "kedaluwarsa", "kadaluwarsa": "kedaluwarsa",
    "kedaluarsa": "kedaluwarsa", "expired": "kedaluwarsa", "lupa": "lupa", "reset": "reset",
    # procurement
    "lelang": "tender", "tender": "tender", "tendernya": "tender", "pelelangan": "tender",
    "penawaran": "tawar", "tawar": "tawar", "bid": "tawar", "sanggahan": "sanggah",
    "menyanggah": "sanggah", "nyanggah": "sanggah", "sanggah": "sanggah", "keberatan": "sanggah",
    "adendum": "adendum", "addendum": "adendum", "adenda": "adendum", "mundur": "undur",
    "diundur": "undur", "ditunda": "undur", "tunda": "undur", "molor": "undur",
    "lamanya": "durasi", "durasi": "durasi", "telat": "terlambat",
    "terlambat": "terlambat", "keterlambatan": "terlambat", "nomor": "kode",
    "klarifikasi": "jelas", "penjelasan": "jelas", "perkembangan": "progres",
    "progres": "progres", "formulir": "isi", "form": "isi", "isian": "isi",
    "diperiksa": "verifikasi", "pemeriksaan": "verifikasi", "memeriksa": "verifikasi",
    "periksa": "verifikasi", "gedung": "kantor", "publikasi": "umum", "dipublikasikan": "umum",
    "mempublikasikan": "umum", "diumumkan": "umum", "pemerintah": "pemerintah",
    "pemkab": "pemerintah", "pemda": "pemerintah", "siapkan": "syarat", "disiapkan": "syarat",
    "dipersiapkan": "syarat", "persiapkan": "syarat", "persiapan": "syarat",
    "mempersiapkan": "syarat", "bikin": "buat", "membuat": "buat", "dibuat": "buat",
    "pembuatan": "buat",
    "dibikin": "buat", "bikinin": "buat", "buatkan": "buat", "dibuatkan": "buat", "kkn": "korupsi",
    "antikorupsi": "korupsi", "suap": "korupsi", "kolusi": "korupsi",
    "bersekongkol": "korupsi", "persekongkolan": "korupsi",
    "meterai": "meterai", "materai": "meterai", "unggah": "unggah", "upload": "unggah",
    "diupload": "unggah", "mengupload": "unggah", "ngupload": "unggah", "upload-an": "unggah",
    "unduh": "unduh", "download": "unduh", "didownload": "unduh", "mendownload": "unduh",
    "menyandikan": "enkripsi", "disandikan": "enkripsi", "penyandian": "enkripsi",
    "enkripsi": "enkripsi", "dienkripsi": "enkripsi", "mengenkripsi": "enkripsi",
    "dekripsi": "dekripsi", "didekripsi": "dekripsi", "mendekripsi": "dekripsi",
    "berkas": "dokumen", "dokumen": "dokumen", "pindaian": "scan", "scan": "scan",
    "dipindai": "scan", "scanan": "scan", "hasil scan": "scan", "foto": "scan",
    "persyaratan": "syarat", "syarat": "syarat", "ketentuan": "syarat",
    "perubahan": "ubah", "ganti": "ubah", "mengganti": "ubah", "diganti": "ubah",
    "penggantian": "ubah", "update": "ubah", "diupdate": "ubah", "memperbarui": "ubah",
    "diperbarui": "ubah", "perbarui": "ubah", "pembaruan": "ubah", "pembaharuan": "ubah",
    "diperbaharui": "ubah", "memperbaharui": "ubah", "pemutakhiran": "ubah",
    "mutakhirkan": "ubah", "dimutakhirkan": "ubah", "revisi": "ubah", "edit": "ubah",
    "koreksi": "ubah", "ubah": "ubah", "gantiin": "wakil",
    "permohonan": "permohonan", "permintaan": "permohonan", "pengajuan": "permohonan",
    "mengajukan": "permohonan", "diajukan": "permohonan", "ajukan": "permohonan",
    "meminta": "permohonan", "minta": "permohonan", "dimintakan": "permohonan",
    "memohon": "permohonan",
    "diwakilkan": "wakil", "diwakili": "wakil", "mewakili": "wakil", "perwakilan": "wakil",
    "wakil": "wakil", "diwakilin": "wakil", "kuasa": "suratkuasa",
    "biaya": "biaya", "bayar": "biaya", "membayar": "biaya", "dibayar": "biaya",
    "berbayar": "biaya", "pembayaran": "biaya", "pungutan": "biaya", "pungut": "biaya",
    "dipungut": "biaya", "pungli": "biaya", "gratis": "biaya", "gratiskah": "biaya",
    "imbalan": "biaya", "uang": "biaya", "duit": "biaya", "ongkos": "biaya", "tarif": "biaya",
    "transfer": "biaya", "calo": "biaya", "keliru": "salah", "kekeliruan": "salah",
    "cek": "cek", "dicek": "cek", "ngecek": "cek", "mengecek": "cek", "pengecekan": "cek",
    "mutasi": "mutasi", "dimutasi": "mutasi", "pindah tugas": "mutasi", "pensiun": "pensiun",
    "purnatugas": "pensiun", "pengganti": "pengganti", "penggantinya": "pengganti",
    "pejabat": "pejabat",
    # system and access
    "situs": "situs", "website": "situs", "web": "situs", "laman": "situs", "site": "situs",
    "portal": "situs", "peramban": "browser", "browser": "browser",
    "lambat": "lambat", "down": "gangguan", "gangguan": "gangguan", "mati": "gangguan",
    "maintenance": "maintenance", "pemeliharaan": "maintenance", "perbaikan": "maintenance",
    "akses": "akses", "diakses": "akses", "mengakses": "akses", "kebuka": "buka",
    "terbuka": "buka", "dibuka": "buka", "membuka": "buka", "bukanya": "buka",
    "galat": "error", "eror": "error", "error": "error", "gagal": "gagal",
    "macet": "macet", "hang": "macet", "stuck": "macet", "loading": "loading",
    "wib": "zonawaktu", "wita": "zonawaktu", "wit": "zonawaktu",
    "pukul": "jam", "jam": "jam", "tutup": "tutup", "libur": "libur",
    "sabtu": "libur", "minggu": "minggu",
    "alamat": "alamat", "lokasi": "alamat", "letak": "alamat", "maps": "alamat",
    "helpdesk": "helpdesk", "petugas": "petugas", "operator": "petugas", "cs": "helpdesk",
    "kontak": "kontak", "hubungi": "kontak", "menghubungi": "kontak", "dihubungi": "kontak",
    "ngobrol": "kontak", "telepon": "kontak", "telpon": "kontak", "nelpon": "kontak",
    "tiket": "tiket", "pelatihan": "latih", "bimtek": "latih", "diklat": "latih",
    "workshop": "latih", "training": "latih", "tutorial": "panduan", "panduan": "panduan",
    "manual": "panduan", "modul": "panduan", "pedoman": "panduan",
    "katalog": "ekatalog", "ekatalog": "ekatalog", "e-katalog": "ekatalog",
    "etalase": "etalase", "npwp": "npwp", "kswp": "kswp", "pajak": "pajak",
    "spt": "spt", "perpajakan": "pajak",
    "lpse": "lpse", "spse": "spse", "inaproc": "inaproc", "lkpp": "lkpp",
    # Broader synonyms (lexicon-broad). A schedule that shifts or is postponed; one moved
    # earlier is simply changed
    "bergeser": "undur", "digeser": "undur", "pergeseran": "undur", "diundurin": "undur",
    "dimundurin": "undur", "mundurin": "undur", "dimajukan": "ubah", "dimajuin": "ubah",
    # late or missed ("kelewatan" stems to the stopword lewat and was lost)
    "kelewatan": "terlambat", "kelewat": "terlambat", "terlewat": "terlambat",
    "terlewati": "terlambat", "terlewatkan": "terlambat", "ketelatan": "terlambat",
    # people who leave: resigning, former holders, death (not "tinggal", left behind)
    "resign": "keluar", "resain": "keluar", "mantan": "lama", "eks": "lama", "rotasi": "mutasi",
    "dirotasi": "mutasi", "dipindahtugaskan": "mutasi", "purnabakti": "pensiun",
    "pensiunan": "pensiun", "meninggal": "meninggal", "wafat": "meninggal",
    "almarhum": "meninggal", "almarhumah": "meninggal", "mendiang": "meninggal",
    # accounts: blocked, inactive, (re)activated, reset, expired, forgotten (Javanese "lali"),
    # the caps lock key (KB wording "caps lock": "lock" alone means blocked)
    "keblokir": "blokir", "diblok": "blokir", "keblok": "blokir", "diblock": "blokir",
    "keblock": "blokir", "dibanned": "blokir", "kebanned": "blokir", "tersuspend": "blokir",
    "kesuspend": "blokir", "inaktif": "nonaktif", "nonaktifin": "nonaktif",
    "dinonaktifin": "nonaktif", "penonaktifan": "nonaktif", "aktifkan": "aktivasi",
    "aktifin": "aktivasi", "diaktifin": "aktivasi", "ngaktifin": "aktivasi",
    "pengaktifan": "aktivasi", "reaktivasi": "aktivasi", "resetin": "reset", "diresetin": "reset",
    "ngereset": "reset", "expaired": "kedaluwarsa", "lali": "lupa", "capslock": "capslock",
    "keamanan": "aman", "yahoo": "email", "ymail": "email", "hotmail": "email", "outlook": "email",
    # English words typed with Indonesian suffixes ("deadlinenya", "accountnya") reach the
    # stemmer's root, which is looked up here, not in ENGLISH
    "deadline": "bataswaktu", "account": "akun", "timeout": "koneksi", "ecatalogue": "ekatalog",
    # verification and documents
    "verval": "verifikasi", "akte": "akta", "fotocopy": "fotokopi", "fotocopi": "fotokopi",
    "fotokopian": "fotokopi", "fc": "fotokopi", "salinan": "fotokopi", "legalisasi": "legalisir",
    "dilegalisir": "legalisir", "dilegalisasi": "legalisir", "teken": "tandatangan",
    "diteken": "tandatangan", "sknya": "sk", "lampir": "lampiran", "pindai": "scan",
    "memindai": "scan", "discan": "scan", "diskan": "scan", "screenshot": "screenshot",
    "skrinsut": "screenshot", "screenshoot": "screenshot", "printscreen": "screenshot",
    # roles and organisations
    "panitia": "pokja", "pojka": "pokja", "bpbj": "pokja", "pemborong": "penyedia",
    "pengusaha": "penyedia", "suplier": "penyedia", "suplayer": "penyedia", "supplyer": "penyedia",
    "kementerian": "instansi", "kementrian": "instansi", "pemkot": "pemerintah",
    "pemprov": "pemerintah", "perseroan": "badanusaha", "pns": "staf", "asn": "staf",
    # procurement steps and results
    "prakualifikasi": "kualifikasi", "pascakualifikasi": "kualifikasi",
    "kwalifikasi": "kualifikasi", "kualifkasi": "kualifikasi", "diskualifikasi": "gugur",
    "didiskualifikasi": "gugur", "terdiskualifikasi": "gugur", "sangah": "sanggah",
    "protes": "sanggah", "memprotes": "sanggah", "diprotes": "sanggah", "komplain": "aduan",
    "komplen": "aduan", "mengadu": "aduan", "diadukan": "aduan", "anwijzing": "aanwijzing",
    "aanwijing": "aanwijzing", "anwijing": "aanwijzing", "aanwizing": "aanwijzing",
    "anwizing": "aanwijzing", "aanwizjing": "aanwijzing", "kodok": "spamkodok",
    "enkrip": "enkripsi", "inkripsi": "enkripsi", "enskripsi": "enkripsi", "enkrypsi": "enkripsi",
    "dekrip": "dekripsi", "sogok": "korupsi", "sogokan": "korupsi", "nyogok": "korupsi",
    "disogok": "korupsi", "menyogok": "korupsi", "gratifikasi": "korupsi", "peraturan": "regulasi",
    "peraturannya": "regulasi", "aturan": "regulasi", "aturannya": "regulasi",
    # informal verbs (Jakarta/Palembang chat) onto their roots
    "liat": "lihat", "diliat": "lihat", "ngeliat": "lihat", "jingok": "lihat", "bales": "balas",
    "dibales": "balas", "dibalesin": "balas", "jwb": "jawab", "dijwb": "jawab", "ilang": "hilang",
    "ngisi": "isi", "ngisiin": "isi", "diisiin": "isi", "nanya": "tanya", "nanyain": "tanya",
    "tanyain": "tanya", "ditanyain": "tanya", "milih": "pilih", "bener": "benar", "dtg": "datang",
    "dateng": "datang", "nyari": "cari", "nyariin": "cari", "dicariin": "cari", "nemu": "temu",
    "nemuin": "temu", "ketemu": "temu", "ngasih": "beri", "dikasih": "beri", "dikasi": "beri",
    "kasihkan": "beri", "dikasihkan": "beri", "ngasihin": "beri", "beritahu": "beritahu",
    "memberitahu": "beritahu", "memberitahukan": "beritahu", "diberitahu": "beritahu",
    "diberitahukan": "beritahu", "beritahukan": "beritahu", "bukain": "buka", "dibukain": "buka",
    "ngebuka": "buka", "balikin": "kembali", "dibalikin": "kembali", "dibalikan": "kembali",
    "dibalikkan": "kembali", "dikembaliin": "kembali", "dipulangkan": "kembali", "ngirim": "kirim",
    "ngirimin": "kirim", "kirimin": "kirim", "dikirimin": "kirim", "ngunggah": "unggah",
    "ngeupload": "unggah", "aplod": "unggah", "aplot": "unggah", "uplod": "unggah",
    "apload": "unggah", "upluad": "unggah", "ngaplod": "unggah", "donlod": "unduh",
    "donlot": "unduh", "donload": "unduh", "downlod": "unduh", "dounlod": "unduh",
    "ngedownload": "unduh", "ngunduh": "unduh", "ngajuin": "permohonan", "diajuin": "permohonan",
    "ajuin": "permohonan", "mintain": "permohonan", "dimintain": "permohonan", "cekin": "cek",
    "dicekin": "cek", "ngecekin": "cek", "diutus": "wakil", "utusan": "wakil",
    "mewakilkan": "wakil", "dikuasakan": "suratkuasa", "ditindaklanjuti": "progres",
    "followup": "progres",
    # correcting and changing (perbaiki stems to "baik"; "rubah" is the common misspelling)
    "perbaiki": "ubah", "diperbaiki": "ubah", "memperbaiki": "ubah", "perbaikin": "ubah",
    "diperbaikin": "ubah", "memperbaikinya": "ubah", "diperbaikinya": "ubah", "benerin": "ubah",
    "dibenerin": "ubah", "ngebenerin": "ubah", "betulin": "ubah", "dibetulin": "ubah",
    "betulkan": "ubah", "dibetulkan": "ubah", "membetulkan": "ubah", "benahi": "ubah",
    "dibenahi": "ubah", "membenahi": "ubah", "tukar": "ubah", "ditukar": "ubah", "menukar": "ubah",
    "ngedit": "ubah", "ngeganti": "ubah", "rubah": "ubah", "dirubah": "ubah", "merubah": "ubah",
    "apdet": "ubah", "diapdet": "ubah",
    # size, speed, stalls and errors as typed in chat
    "kegedean": "besar", "kebesaran": "besar", "gede": "besar", "gedhe": "besar", "lola": "lambat",
    "ngelag": "lambat", "lag": "lambat", "ngehang": "macet", "ngadat": "macet", "mogok": "macet",
    "loding": "loading", "ngerror": "error", "ngeror": "error", "sinyal": "koneksi",
    "kuota": "internet", "wifi": "internet",
    # devices and browsers
    "handphone": "ponsel", "hape": "ponsel", "smartphone": "ponsel", "android": "ponsel",
    "iphone": "ponsel", "gawai": "ponsel", "pc": "komputer", "desktop": "komputer",
    "mozilla": "firefox", "mozila": "firefox", "crome": "chrome", "edge": "browser",
    "safari": "browser", "cookie": "cookies",
    # office, days off, contacts, training, tax office
    "sekretariat": "kantor", "denah": "alamat", "rute": "alamat", "gmaps": "alamat",
    "narahubung": "kontak", "hotline": "kontak", "cp": "kontak", "manusia": "petugas",
    "kursus": "latih", "webinar": "sosialisasi", "juknis": "panduan", "kpp": "djp",
    "coretax": "djp", "ppn": "pajak", "pph": "pajak", "daring": "online",
    # "-e" (Javanese), "-na" (Sundanese) and "-nyo" (Palembang) are the possessive -nya
    "carane": "cara", "carana": "cara", "caronyo": "cara",
    # contract forms and certificates (other offices' topics), personnel, duplicates,
    # replies and stalls
    "spk": "kontrak", "spmk": "kontrak", "ska": "skk", "skt": "skk", "subkon": "subkontrak",
    "personil": "tenagaahli", "personel": "tenagaahli", "dobel": "ganda", "duplikat": "ganda",
    "respon": "jawab", "respons": "jawab", "direspon": "jawab", "direspons": "jawab",
    "merespon": "jawab", "agenda": "jadwal", "mentok": "macet", "otw": "datang",
    "agregat": "agregasi",
    # notifications, archives, networks, acting officials (Plt/Plh stand in for a PPK)
    "notifikasi": "beritahu", "notif": "beritahu", "rar": "zip", "winrar": "zip",
    "kompresi": "kompres", "kapasitas": "ukuran", "gatot": "gagal", "jaringan": "koneksi",
    "inet": "internet", "plt": "pengganti", "plh": "pengganti", "sertijab": "pengganti",
    # more chat verbs: used, made smaller; consulting a person; break hours; USB sticks
    "dipake": "pakai", "kepake": "pakai", "terpake": "pakai", "ngecilin": "kecil",
    "dikecilin": "kecil", "kecilin": "kecil", "ngecilkan": "kecil", "konsultasi": "tanya",
    "istirahat": "jamlayanan", "usb": "flashdisk",
    # round 3: a cipher program (sandi is a password elsewhere), a web browser, learning
    "penyandi": "enkripsi", "penjelajah": "browser", "belajar": "latih",
    # round 5: disagreeing with a result is an objection
    "ketidaksetujuan": "sanggah", "pantau": "lihat", "memantau": "lihat", "dipantau": "lihat",
}

# English -> Indonesian canonical terms (inflected forms are reduced before lookup).
ENGLISH: dict[str, str] = {
    "forgot": "lupa", "forget": "lupa", "forgotten": "lupa", "remember": "ingat",
    "password": "password", "passcode": "password", "pin": "password",
    "account": "akun", "accounts": "akun", "username": "userid", "login": "login",
    "logon": "login", "register": "daftar", "registration": "daftar", "signup": "daftar",
    "enrol": "daftar", "enroll": "daftar", "enrolment": "daftar", "enrollment": "daftar",
    "verify": "verifikasi", "verification": "verifikasi", "verified": "verifikasi",
    "validation": "verifikasi", "vetting": "verifikasi",
    "supplier": "penyedia", "vendor": "penyedia", "provider": "penyedia",
    "contractor": "penyedia", "bidder": "penyedia", "tenderer": "penyedia",
    "participant": "peserta", "company": "perusahaan", "firm": "perusahaan",
    "business": "usaha", "enterprise": "usaha", "individual": "perorangan",
    "personal": "perorangan", "freelancer": "perorangan", "private": "perorangan",
    "director": "direktur", "owner": "pemilik", "employee": "staf",
    "staffer": "staf", "worker": "staf", "staff": "petugas", "officer": "petugas",
    "official": "pejabat", "agency": "instansi", "department": "instansi",
    "ministry": "instansi", "institution": "instansi", "unit": "unit",
    "block": "blokir", "blocked": "blokir", "lock": "blokir", "locked": "blokir",
    "suspend": "blokir", "suspended": "blokir", "banned": "blokir", "ban": "blokir",
    "inactive": "nonaktif", "deactivated": "nonaktif", "deactivate": "nonaktif",
    "disable": "nonaktif", "disabled": "nonaktif", "activate": "aktivasi",
    "activation": "aktivasi", "active": "aktif", "blacklist": "daftarhitam",
    "blacklisted": "daftarhitam", "sanction": "sanksi", "email": "email", "mail": "email",
    "inbox": "inbox", "spam": "spam", "junk": "spam", "link": "tautan", "expire": "kedaluwarsa",
    "expired": "kedaluwarsa", "receive": "terima", "received": "terima", "arrive": "terima",
    "arrived": "terima", "reset": "reset", "recover": "pulih", "recovery": "pulih",
    "restore": "pulih", "change": "ubah", "update": "ubah", "modify": "ubah", "amend": "ubah",
    "amendment": "ubah", "edit": "ubah", "revise": "ubah", "revision": "ubah",
    "correct": "ubah", "replace": "ubah", "replacement": "pengganti", "successor": "pengganti",
    "new": "baru", "old": "lama", "previous": "lama", "former": "lama",
    "tender": "tender", "tendering": "tender", "auction": "tender", "bidding": "tender",
    "procurement": "pengadaan", "purchase": "pengadaan", "purchasing": "pengadaan",
    "bid": "tawar", "offer": "tawar", "quotation": "tawar", "quote": "tawar",
    "proposal": "tawar", "submission": "kirim", "submit": "kirim", "send": "kirim",
    "sent": "kirim", "deliver": "kirim", "upload": "unggah", "download": "unduh",
    "install": "pasang", "prepare": "syarat", "where": "mana", "create": "buat", "make": "buat",
    "made": "buat", "encrypt": "enkripsi", "encryption": "enkripsi",
    "encrypted": "enkripsi", "decrypt": "dekripsi", "decryption": "dekripsi",
    "decrypted": "dekripsi", "open": "buka", "opened": "buka", "opening": "buka",
    "close": "tutup", "closed": "tutup", "closing": "tutup", "file": "file",
    "document": "dokumen", "paperwork": "dokumen", "papers": "dokumen", "original": "asli",
    "copy": "salin", "photocopy": "fotokopi", "scan": "scan", "scanned": "scan",
    "photo": "scan", "picture": "scan", "return": "kembali", "returned": "kembali",
    "give back": "kembali", "keep": "tahan", "kept": "tahan", "retain": "tahan",
    "retained": "tahan", "hold": "tahan", "held": "tahan", "store": "simpan",
    "bring": "bawa", "brought": "bawa", "carry": "bawa", "requirement": "syarat",
    "required": "syarat", "require": "syarat", "prerequisite": "syarat",
    "condition": "syarat", "mandatory": "wajib", "obligatory": "wajib", "compulsory": "wajib",
    "attend": "datang", "come": "datang", "visit": "datang", "present": "datang",
    "behalf": "wakil", "represent": "wakil", "representative": "wakil", "proxy": "wakil",
    "delegate": "wakil", "authorize": "suratkuasa", "authorise": "suratkuasa",
    "authorization": "suratkuasa", "attorney": "suratkuasa",
    "fee": "biaya", "fees": "biaya", "cost": "biaya", "costs": "biaya", "charge": "biaya",
    "charged": "biaya", "pay": "biaya", "paid": "biaya", "payment": "biaya", "free": "biaya",
    "price": "harga", "money": "biaya", "bribe": "korupsi", "levy": "biaya",
    "duration": "durasi", "quickly": "durasi", "fast": "durasi", "soon": "durasi",
    "take": "butuh", "takes": "butuh", "minute": "menit", "hour": "jam", "day": "hari",
    "week": "minggu", "month": "bulan", "year": "tahun", "today": "hari",
    "schedule": "jadwal", "timeline": "jadwal", "timetable": "jadwal", "deadline": "bataswaktu",
    "late": "terlambat", "missed": "terlambat", "passed": "lewat", "past": "lewat",
    "extend": "panjang", "extension": "panjang", "postpone": "undur", "postponed": "undur",
    "delay": "undur", "delayed": "undur", "reschedule": "undur", "rescheduled": "undur",
    "cancel": "batal", "cancelled": "batal", "canceled": "batal", "repeat": "ulang",
    "again": "ulang", "twice": "ulang", "resubmission": "kirimulang", "time": "waktu",
    "clock": "jam", "wib": "zonawaktu", "timezone": "zonawaktu", "server": "server",
    "announcement": "umum", "announce": "umum", "announced": "umum", "publish": "umum",
    "published": "umum", "notice": "umum", "winner": "menang", "win": "menang",
    "won": "menang", "award": "menang", "awarded": "menang", "result": "hasil",
    "outcome": "hasil", "evaluation": "evaluasi", "evaluate": "evaluasi",
    "objection": "sanggah", "object": "sanggah", "appeal": "sanggahbanding",
    "complaint": "aduan", "complain": "aduan", "protest": "sanggah", "dispute": "sanggah",
    "disqualified": "gugur", "eliminated": "gugur", "rejected": "tolak", "reject": "tolak",
    "question": "tanya", "ask": "tanya", "asking": "tanya", "inquiry": "tanya",
    "enquiry": "tanya", "clarification": "jelas", "clarify": "jelas", "explain": "jelas",
    "explanation": "jelas", "unclear": "jelas", "specification": "spesifikasi",
    "spec": "spesifikasi", "specs": "spesifikasi", "technical": "teknis",
    "qualification": "kualifikasi", "qualify": "kualifikasi", "experience": "pengalaman",
    "expert": "tenagaahli", "equipment": "peralatan", "tool": "alat", "tax": "pajak",
    "taxpayer": "pajak", "invalid": "invalid", "valid": "valid", "integrity": "pakta",
    "pact": "pakta", "corruption": "korupsi", "collusion": "korupsi", "agree": "setuju",
    "agreement": "setuju", "accept": "setuju", "approve": "setuju", "approval": "setuju",
    "consent": "setuju", "sign": "tandatangan", "signature": "tandatangan",
    "stamp": "meterai", "seal": "meterai", "code": "kode", "package": "paket",
    "packet": "paket", "lot": "paket", "direct": "langsung", "invite": "undang",
    "invitation": "undang", "invited": "undang", "appointment": "tunjuk",
    "browser": "browser", "chrome": "chrome", "firefox": "firefox", "setting": "atur",
    "settings": "atur", "configuration": "atur", "configure": "atur", "recommend": "saran",
    "recommended": "saran", "suggest": "saran", "suggested": "saran", "best": "saran",
    "website": "situs", "site": "situs", "web": "situs", "page": "situs", "portal": "situs",
    "online": "online", "internet": "internet", "connection": "koneksi", "network": "koneksi",
    "access": "akses", "accessible": "akses", "reach": "akses", "load": "loading",
    "loading": "loading", "down": "gangguan", "outage": "gangguan", "offline": "gangguan",
    "maintenance": "maintenance", "slow": "lambat", "error": "error", "fail": "gagal",
    "failed": "gagal", "failure": "gagal", "unsuccessful": "gagal", "stuck": "macet",
    "freeze": "macet", "frozen": "macet", "hang": "macet", "size": "ukuran",
    "maximum": "maksimal", "max": "maksimal", "limit": "maksimal", "large": "besar",
    "big": "besar", "compress": "kompres", "format": "format", "mb": "mb",
    "megabyte": "mb", "training": "latih", "train": "latih", "course": "latih",
    "workshop": "latih", "seminar": "sosialisasi", "guide": "panduan", "guidance": "panduan",
    "manual": "panduan", "handbook": "panduan", "tutorial": "panduan",
    "catalogue": "ekatalog", "catalog": "ekatalog", "marketplace": "ekatalog",
    "product": "produk", "goods": "barang", "service": "layanan", "office": "kantor",
    "address": "alamat", "location": "alamat", "located": "alamat", "directions": "alamat",
    "building": "kantor", "hours": "jam", "weekend": "libur",
    "saturday": "libur", "sunday": "libur", "holiday": "libur", "holidays": "libur",
    "contact": "kontak", "phone": "kontak", "call": "kontak", "chat": "kontak",
    "talk": "kontak", "human": "petugas", "respond": "jawab",
    "response": "jawab", "reply": "jawab", "answer": "jawab", "answered": "jawab",
    "helpdesk": "helpdesk", "support": "helpdesk", "help": "bantu", "ticket": "tiket",
    "status": "status", "check": "cek", "track": "cek", "inspection": "verifikasi",
    "progress": "progres",
    "request": "permohonan", "apply": "permohonan", "application": "aplikasi",
    "letter": "surat", "attachment": "lampiran", "attach": "lampiran", "enclose": "lampiran",
    "content": "isi", "contain": "isi", "fill": "isi", "complete": "lengkap",
    "data": "data", "profile": "profil", "information": "informasi",
    "deed": "akta", "license": "izin", "licence": "izin", "permit": "izin",
    "move": "pindah", "moved": "pindah", "relocate": "pindah", "relocated": "pindah",
    "transfer": "mutasi", "transferred": "mutasi", "reassigned": "mutasi",
    "retire": "pensiun", "retired": "pensiun", "retirement": "pensiun",
    "outside": "luar", "region": "daerah", "city": "kota", "province": "provinsi",
    "local": "lokal", "national": "nasional", "domicile": "domisili", "another": "lain",
    "other": "lain", "same": "sama", "aggregate": "agregasi", "aggregation": "agregasi",
    "roaming": "roaming", "performance": "kinerja", "use": "pakai", "using": "pakai",
    "used": "pakai", "member": "anggota", "committee": "pokja", "appointed": "tunjuk",
    "see": "lihat", "view": "lihat", "find": "cari", "search": "cari", "look": "cari",
    "currently": "sedang", "join": "ikut", "participate": "ikut",
    "participating": "ikut", "follow": "ikut", "step": "langkah", "procedure": "prosedur",
    "process": "proses", "socialization": "sosialisasi",
    # general words of English questions (issue #18: new writers' English)
    "wrong": "salah", "mistake": "salah", "mistaken": "salah", "incorrect": "salah",
    "version": "versi", "elsewhere": "luar",
    # Broader English (lexicon-broad): accounts and credentials
    "passwords": "password", "signin": "login", "lockout": "blokir", "reactivate": "aktivasi",
    "reactivation": "aktivasi", "dormant": "nonaktif", "expiry": "kedaluwarsa",
    "expiration": "kedaluwarsa", "resetting": "reset", "retrieve": "pulih", "regain": "pulih",
    "mailbox": "inbox", "notification": "beritahu", "notify": "beritahu", "notified": "beritahu",
    "confirmation": "konfirmasi", "confirm": "konfirmasi", "security": "aman", "secure": "aman",
    "safe": "aman", "fraud": "tipu", "scam": "tipu", "scammer": "tipu", "phishing": "tipu",
    "privacy": "privasi",
    # registration and verification
    "onboarding": "daftar", "verifier": "verifikasi", "validate": "verifikasi",
    "validated": "verifikasi", "decline": "tolak", "declined": "tolak", "refuse": "tolak",
    "refused": "tolak",
    # roles, offices and people (PPK, Pokja, providers, officials leaving)
    "consultant": "penyedia", "subcontractor": "subkontrak", "government": "pemerintah",
    "govt": "pemerintah", "gov": "pemerintah", "regency": "kabupaten", "agent": "petugas",
    "appoint": "tunjuk", "designate": "tunjuk", "designated": "tunjuk", "nominate": "tunjuk",
    "nominated": "tunjuk", "assign": "tunjuk", "assigned": "tunjuk", "resign": "keluar",
    "resigned": "keluar", "resignation": "keluar", "quit": "keluar", "retiree": "pensiun",
    "pension": "pensiun", "rotation": "mutasi", "rotated": "mutasi", "died": "meninggal",
    "deceased": "meninggal", "ex": "lama",
    # documents and data
    "decree": "sk", "screenshot": "screenshot", "image": "scan", "scanning": "scan",
    "scanner": "scan", "vat": "pajak", "corrupted": "rusak", "damaged": "rusak", "broken": "rusak",
    "empty": "kosong", "blank": "kosong", "without": "tanpa",
    # tenders, bids, deadlines and results
    "timeout": "koneksi", "shift": "undur", "shifted": "undur", "cancellation": "batal",
    "disqualification": "gugur", "rebuttal": "sanggah", "grievance": "aduan", "report": "lapor",
    "prequalification": "kualifikasi", "postqualification": "kualifikasi", "stage": "tahap",
    "phase": "tahap", "contract": "kontrak", "guarantee": "jamin", "penalty": "denda",
    "penalties": "denda", "budget": "anggar", "ceiling": "pagu", "regulation": "regulasi",
    "rule": "regulasi", "law": "regulasi", "duty": "tugas", "task": "tugas", "role": "peran",
    "responsible": "tanggung", "responsibility": "tanggung", "decide": "putus",
    "selection": "pilih", "select": "pilih", "choose": "pilih", "manage": "kelola",
    "management": "kelola", "decision": "putus", "determine": "tentu", "emergency": "darurat",
    "disaster": "bencana", "forbidden": "larang", "prohibited": "larang", "difference": "beda",
    "different": "beda", "differ": "beda", "meaning": "arti", "mean": "arti", "show": "tampil",
    "display": "tampil", "appear": "muncul", "remove": "hapus", "delete": "hapus",
    "erase": "hapus", "give": "beri", "gave": "beri", "given": "beri", "share": "beri",
    "tell": "beritahu", "latest": "baru", "recent": "baru",
    # devices, system and office
    "computer": "komputer", "laptop": "laptop", "mobile": "ponsel", "smartphone": "ponsel",
    "cellphone": "ponsel", "tablet": "ponsel", "cookie": "cookies", "lag": "lambat",
    "laggy": "lambat", "bug": "error", "crash": "gangguan", "crashed": "gangguan",
    "wifi": "internet", "signal": "koneksi", "map": "alamat", "telephone": "kontak",
    "hotline": "kontak", "webinar": "sosialisasi", "socialisation": "sosialisasi",
    "instruction": "panduan", "guidebook": "panduan", "reduce": "kecil", "shrink": "kecil",
    "small": "kecil", "smaller": "kecil", "huge": "besar", "typo": "salah",
    # more English: duplicates, sole providers, reports and contract steps
    "double": "ganda", "duplicate": "ganda", "duplicated": "ganda", "freelance": "perorangan",
    "whistleblowing": "aduan", "handover": "bast", "terminate": "putus", "termination": "putus",
    # interface words and the KB's own English keywords
    "proof": "bukti", "evidence": "bukti", "prove": "bukti", "card": "kartu", "yellow": "kuning",
    "current": "baru", "print": "cetak", "printed": "cetak", "command": "perintah",
    "feature": "fitur", "system": "sistem", "winning": "menang", "button": "tombol",
    "click": "klik", "flow": "alur", "workflow": "alur",
}

# Known Indonesian roots: the stemmer stops as soon as a candidate is one of these, which
# resolves prefix recoding (menawar -> tawar, memakai -> pakai, mengirim -> kirim).
ROOTS: frozenset[str] = _word_set(
    """
    ada ajar akses aktif akun alamat alih ambil anggota antar arsip asli atur awal bawa baca
    bagi baik balas balik bangun bantu baru batal batas bayar beda beli benar berat berhenti
    berkas besar biaya bimbing blokir bongkar buat buka bukti butuh cabut cair cari catat cek
    cetak cocok coba daftar dapat data datang dekat dekripsi dengar diam didik dokumen duga
    edar ekatalog enkripsi evaluasi gagal ganti gugur guna hadir hak hapus harap hasil hitung
    hubung hukum ikut ingat isi izin jabat jadi jadwal jalan jamin janji jawab jelas jual
    kait kantor kembali kena kenal kerja kecil kirim kode kunci kuasa lahir lain laksana lama
    lampir lapor latih layan lengkap lewat lihat lindung lupa mohon minta mulai mundur mutasi
    nilai nyata olah pakai paket panjang pasang pegang pelajar peluk percaya perintah periksa
    perlu pesan pilih pindah pinjam proses pulih pungut putus rancang rekam rinci rusak saji
    salah salin sama sandi sanggah sampai sedia selesai serah setuju siap simpan sinkron
    susun tahan tambah tampil tanda tanggap tanggung tanya tawar tempuh tentu terang terima
    tetap tinggal tolak tuju tulis tunggu tunjuk turun tutup ubah ujar ukur ulang umum undang
    unduh unggah urus usaha usul wajib wakil waktu pengaruh kelola kumpul lantik lulus
    tetap tegas temu tinjau kuat luas keluar masuk muat mudah naik nikmat pasti ringkas
    verifikasi registrasi informasi aplikasi kualifikasi spesifikasi sosialisasi agregasi
    klarifikasi validasi aktivasi administrasi konstruksi instansi revisi lokasi komunikasi
    organisasi integritas identitas kapasitas prioritas fasilitas otoritas
    menang kalah tender lelang penyedia sedia rekan sanksi kinerja periksa jelaskan
    ajukan mutakhir enkripsi dekripsi nonaktif arah kesan ketik klik koneksi
    siplah distributor principal milik
    """
)

# Concept terms that say which kind of user is asking: a provider's problem is not a Pokja's.
ROLE_TERMS: dict[str, str] = {
    "penyedia": "penyedia",
    "perusahaan": "penyedia",
    "badanusaha": "penyedia",
    "perorangan": "penyedia",
    "pokja": "pokja",
    "ppk": "ppk",
    "instansi": "ppk",
    "pejabat": "ppk",
    "pejabatpengadaan": "ppk",
}

# Terms that name the office or the system itself: present in most questions, so they carry
# little intent; their query weight is reduced on top of IDF. "laku" (dilakukan) is the verb
# of "apa yang harus dilakukan", whose topic is in the rest of the sentence.
GENERIC_TERMS: frozenset[str] = _word_set(
    "lpse spse ogan ilir kabupaten oi indralaya sumatera selatan sumsel pemerintah "
    "daerah aplikasi sistem situs online informasi tanya cara langkah prosedur proses alur "
    "akun selesai saran laku"
)

# Neighbouring systems and bodies that this office's FAQ does not cover (national LKPP
# services, licensing, social security, tax filing), and procurement matters that other
# offices handle (contract execution and payment, guarantees, price estimates, penalties,
# certification of procurement staff). A query naming one that the KB does not know weighs
# that word triple: "input RUP di SiRUP" is not a question about RUP codes, and "pembayaran
# termin kontrak" is not about the registration fee. Terms are stemmed ("jaminan" -> jamin).
#
# Per entry (issue #18): an entry answers a query that names one of these terms only if
# the entry names that term itself (question, variants or keywords). A referral entry for
# SiRUP lists SiRUP's vocabulary and answers; a tender entry that merely shares "paket" with
# a SiRUP question is demoted. The groups below are LKPP's other applications and the
# organisation and rule topics that LPSE helpdesks refer elsewhere.
NEIGHBOUR_TERMS: frozenset[str] = _word_set(
    # other offices' matters, contracts and payment
    "belapengadaan tokodaring epurchasing amel bpjs lpjk sbu skk oss nib simpel "
    "siskeudes simda sipd sakti span lkpp jdih perpres perlem permen ptun "
    "kontrak subkontrak term jaminanpenawaran jaminanpelaksanaan jaminanuangmuka "
    "jaminanpemeliharaan uangmuka garansibank asuransi denda wanprestasi hps spm sp2d bast "
    "pho fho tkdn gaji honor honorarium negosiasi "
    # SiRUP: procurement plans and budgets (PA/KPA, admin PPE/RUP)
    "sirup rup pagu ppe rka rkad dpa anggar "
    # e-Katalog and e-purchasing operations (products, listing, buying)
    "beli keranjang tayang nie akd akl kurasi principal distributor merek komoditas "
    "kategor adendum pesanan uangpersediaan bendahara privy checkout konsolidasi retensi "
    # Bela Pengadaan, toko daring, SIPLah: marketplaces for small purchases
    "umk siplah mitra "
    # organisation and rules: duties, careers, evaluation weights, emergencies
    "kewenang wewenang tupoksi fungsional formasi bobot ambang darurat bencana "
    # a refused verification is the verifier's decision, explained by staff, not the FAQ
    "tolak "
    # other LKPP applications: support desk, training portal, catalogue pre-listing
    "splkp amel lpsesupport ppsdm pusdiklat prakatalog"
)
# fmt: on
