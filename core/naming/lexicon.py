"""Word lists per language: stop words and filler, written in their transliterated ASCII form.

Hand-written on purpose: no maintained stop-word package is installed (pyproject is frozen for
this work), and the general-purpose lists (NLTK, stopwords-iso) are built for search indexing,
where dropping "rot", "neu" or "door" costs little; in a filename it loses the one word that
mattered. These lists hold only function words (articles, pronouns, prepositions, conjunctions,
auxiliaries) plus the few words that describe a file rather than a picture.

Words are written as they come out of transliteration (German "für" -> "fuer", French "être" ->
"etre"), because matching happens on the ASCII key of a word in every mode, Unicode names too.
"""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """A table of words written as one whitespace-separated block, which reads better than a list."""
    return frozenset(text.split())


ENGLISH_STOP_WORDS = word_set(
    """
    a about above across after afterwards again against all almost along already also although always am among
    amongst an and another any anyhow anyone anything anyway anywhere are around as at be became because become
    becomes been before beforehand behind being below beside besides between beyond both but by can cannot could
    did do does doing done during each either else elsewhere enough etc even ever every everyone everything
    everywhere except few for former formerly from further had has have having he hence her here hereafter hereby
    herein hers herself him himself his how however i ie if in indeed into is it its itself just latter least less
    many may me meanwhile might more moreover most mostly much must my myself namely neither never
    nevertheless no nobody none noone nor not nothing now nowhere of off often on once only onto or other others
    otherwise our ours ourselves out over own per perhaps please quite rather really same several she should since so
    some somehow someone something sometime sometimes somewhere still such than that the their theirs them
    themselves then thence there thereafter thereby therefore therein thereupon these they this those though through
    throughout thru thus to together too toward towards under until unto up upon us very via was we were what
    whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which while
    whither who whoever whom whose why will with within without would yet you your yours yourself yourselves
    aint arent cant couldnt didnt doesnt dont hadnt hasnt havent hed hes im isnt itd itll ive lets shant
    shes shouldnt thats theres theyd theyll theyre theyve wasnt weve werent whats wheres whos wont wouldnt
    youd youll youre youve s t d ll m re ve amp
    """
)
GERMAN_STOP_WORDS = word_set(
    """
    aber alle allem allen aller alles als also am an andere anderem anderen anderer anderes auch auf aus bei beim
    bin bis bist da damit dann das dass dasselbe dazu dein deine deinem deinen deiner deines dem den denn der derer
    des dessen dich die dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer
    eines einige einigen einiges einmal er es etwas euch euer eure eurem euren eurer eures fuer gegen gewesen hab
    habe haben hat hatte hatten hier ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede
    jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner keines koennen
    man manche mein meine meinem meinen meiner meines mich mir mit muss nach nicht nichts noch nun nur ob oder
    ohne sehr sein seine seinem seinen seiner seines sich sie sind so solche soll sollte sondern sonst ueber um
    und uns unser unsere unserem unseren unserer unter vom von vor waehrend war waren was weil welche welchem
    welchen welcher welches wenn werde werden wie wieder wir wird wo wurde wuerde zu zum zur zwar zwischen
    """
)
FRENCH_STOP_WORDS = word_set(
    """
    a ai as au aux avec avez avoir avons c ca car ce ceci cela celle celles celui ces cet cette ceux chez comme d
    dans de des donc dont du elle elles en entre es est et etaient etait etes etre eux il ils j je l la le les
    leur leurs lui m ma mais me meme mes moi mon n ne nos notre nous on ont ou par pas plus pour qu quand que quel
    quelle quelles quels qui s sa sans se ses si son sont sous suis sur t ta te tes toi ton tous tout toute toutes
    tres tu un une vers vos votre vous y
    """
)
SPANISH_STOP_WORDS = word_set(
    """
    a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e el ella ellas
    ellos en entre era eran es esa esas ese eso esos esta estaba estan estar este esto estos fue fueron ha han
    hasta hay la las le les lo los mas me mi mis mucho muy nada ni no nos nosotros o os otra otras otro otros para
    pero poco por porque que quien se ser si sin sobre su sus tambien tan te tiene tienen todo todos tu tus u un
    una unas uno unos usted y ya yo
    """
)
ITALIAN_STOP_WORDS = word_set(
    """
    a ad agli ai al alla alle allo anche c che chi ci come con cosi d da dai dal dalla dalle dallo degli dei del
    della delle dello di e ed era erano fra gia gli ha hanno ho i il in io l la le lei li lo loro lui ma mi mia mie
    miei mio molto ne negli nei nel nella nelle nello no noi non o per perche piu quale quali quando quella quelle
    quelli quello questa queste questi questo se sei si sia siamo sono su sua sue sui sul sulla sulle suo suoi ti
    tra tu tua tue tuo tuoi tutta tutte tutti tutto un una uno vi voi
    """
)
DUTCH_STOP_WORDS = word_set(
    """
    aan al als bij dan dat de der des die dit door een en er had heb heeft hem het hier hij hoe hun ik in is je
    kan kon maar me meer men met mij mijn na naar niet niets nog nu of om omdat ons onze ook op over te tot u uit
    van veel voor want was wat we wel werd wie wij wil worden zal ze zelf zich zij zijn zo zonder zou
    """
)
PORTUGUESE_STOP_WORDS = word_set(
    """
    a ao aos as com como da das de dela dele deles do dos e ela elas ele eles em entre era essa essas esse esses
    esta estas este estes eu foi for ha isso isto ja lhe mais mas me mesmo meu minha muito na nao nas nem no nos
    nossa nosso num numa o os ou para pela pelas pelo pelos por qual quando que quem se sem ser seu seus sua suas
    so sob sobre tambem te tem ter tu tua um uma umas uns voce
    """
)

# Media words name the medium, not the content; dropped from every automatic source. Camera
# and format words are the same everywhere, so every language adds its own to the English set.
ENGLISH_MEDIA_FILLER = word_set(
    """
    image images img imgs photo photos foto fotos photograph photographs picture pictures pic pics pict pix
    snapshot snap jpg jpeg jpe jfif png gif webp tif tiff heic heif avif bmp dng raw
    """
)
# File words describe the file ("final", "copy"), so they are dropped only from an original
# filename: a batch keyword "new arrivals" or a place "New York" keeps its "new".
ENGLISH_FILE_FILLER = word_set(
    """
    copy copies final finals edited edit edits new untitled unnamed unknown screenshot screenshots screencap
    version ver rev revised draft wip temp tmp export exported resized resize scaled cropped retouched
    original orig hdr thumb thumbnail thumbnails preview min compressed optimized optimised download downloaded
    file files whatsapp mp pm
    """
)
MEDIA_FILLER_WORDS = {
    "en": ENGLISH_MEDIA_FILLER,
    "de": ENGLISH_MEDIA_FILLER | word_set("bild bilder fotografie aufnahme aufnahmen"),
    "fr": ENGLISH_MEDIA_FILLER | word_set("photographie photographies cliche cliches"),
    "es": ENGLISH_MEDIA_FILLER | word_set("imagen imagenes fotografia fotografias"),
    "it": ENGLISH_MEDIA_FILLER | word_set("immagine immagini fotografia fotografie"),
    "nl": ENGLISH_MEDIA_FILLER | word_set("afbeelding afbeeldingen plaatje plaatjes"),
    "pt": ENGLISH_MEDIA_FILLER | word_set("imagem imagens fotografia fotografias"),
}
FILE_FILLER_WORDS = {
    "en": ENGLISH_FILE_FILLER,
    "de": ENGLISH_FILE_FILLER | word_set("kopie neu endgueltig bearbeitet entwurf unbenannt datei bildschirmfoto"),
    "fr": ENGLISH_FILE_FILLER | word_set("copie nouveau nouvelle finale modifie retouche brouillon titre fichier"),
    "es": ENGLISH_FILE_FILLER | word_set("copia nuevo nueva editado editada borrador titulo archivo captura"),
    "it": ENGLISH_FILE_FILLER | word_set("copia nuovo nuova finale modificato modificata bozza titolo versione"),
    "nl": ENGLISH_FILE_FILLER | word_set("kopie nieuw definitief bewerkt concept naamloos bestand schermafbeelding"),
    "pt": ENGLISH_FILE_FILLER | word_set("copia novo nova editado editada rascunho titulo arquivo ficheiro versao"),
}
STOP_WORD_LISTS = {
    "en": ENGLISH_STOP_WORDS,
    "de": GERMAN_STOP_WORDS,
    "fr": FRENCH_STOP_WORDS,
    "es": SPANISH_STOP_WORDS,
    "it": ITALIAN_STOP_WORDS,
    "nl": DUTCH_STOP_WORDS,
    "pt": PORTUGUESE_STOP_WORDS,
}
