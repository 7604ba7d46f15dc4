/* pictory_voices.c - the table of Pictory voice names (pictory_voices.h).
 * Each name keeps its language and gender; names of one language and gender
 * take the espeak-ng variants in turn (m1..m7, f1..f5) so that two Pictory
 * voices of a video do not sound the same. Languages espeak-ng has no accent
 * for speak its nearest (en-AU, en-IN, en-NZ, en-ZA: en-gb; es-US, es-MX:
 * es-419; fr-CA: fr). */
#include "tts/pictory_voices.h"

#include <stddef.h>
#include <strings.h>

static const sr_pictory_voice voices[] = {
    {"Joanna", "en-US", "female", "American accent", "en-us+f1"},
    {"Matthew", "en-US", "male", "American accent", "en-us+m1"},
    {"Ivy", "en-US", "female", "American accent", "en-us+f2"},
    {"Justin", "en-US", "male", "American accent", "en-us+m2"},
    {"Kendra", "en-US", "female", "American accent", "en-us+f3"},
    {"Kimberly", "en-US", "female", "American accent", "en-us+f4"},
    {"Salli", "en-US", "female", "American accent", "en-us+f5"},
    {"Joey", "en-US", "male", "American accent", "en-us+m3"},
    {"Kevin", "en-US", "male", "American accent", "en-us+m4"},
    {"Ruth", "en-US", "female", "American accent", "en-us+f1"},
    {"Stephen", "en-US", "male", "American accent", "en-us+m5"},
    {"Danielle", "en-US", "female", "American accent", "en-us+f2"},
    {"Gregory", "en-US", "male", "American accent", "en-us+m6"},
    {"Jackson", "en-US", "male", "American accent", "en-us+m7"},
    {"Adison", "en-US", "female", "American accent", "en-us+f3"},
    {"Martin", "en-US", "male", "American accent", "en-us+m1"},
    {"Amy", "en-GB", "female", "British accent", "en-gb+f1"},
    {"Emma", "en-GB", "female", "British accent", "en-gb+f2"},
    {"Brian", "en-GB", "male", "British accent", "en-gb+m1"},
    {"Arthur", "en-GB", "male", "British accent", "en-gb+m2"},
    {"Fiona", "en-GB", "female", "British accent", "en-gb+f3"},
    {"Nicole", "en-AU", "female", "Australian accent", "en-gb+f4"},
    {"Russell", "en-AU", "male", "Australian accent", "en-gb+m3"},
    {"Olivia", "en-AU", "female", "Australian accent", "en-gb+f5"},
    {"Aditi", "en-IN", "female", "Indian accent", "en-gb+f1"},
    {"Raveena", "en-IN", "female", "Indian accent", "en-gb+f2"},
    {"Kajal", "en-IN", "female", "Indian accent", "en-gb+f3"},
    {"Shreya", "en-IN", "female", "Indian accent", "en-gb+f4"},
    {"Geraint", "en-GB-WLS", "male", "Welsh accent", "en-gb+m4"},
    {"Aria", "en-NZ", "female", "New Zealand accent", "en-gb+f5"},
    {"Ayanda", "en-ZA", "female", "South African accent", "en-gb+f1"},
    {"Celine", "fr-FR", "female", "French accent", "fr+f1"},
    {"Lea", "fr-FR", "female", "French accent", "fr+f2"},
    {"Mathieu", "fr-FR", "male", "French accent", "fr+m1"},
    {"Remi", "fr-FR", "male", "French accent", "fr+m2"},
    {"Chantal", "fr-CA", "female", "Canadian accent", "fr+f3"},
    {"Gabrielle", "fr-CA", "female", "Canadian accent", "fr+f4"},
    {"Liam", "fr-CA", "male", "Canadian accent", "fr+m3"},
    {"Marlene", "de-DE", "female", "German accent", "de+f1"},
    {"Vicki", "de-DE", "female", "German accent", "de+f2"},
    {"Hans", "de-DE", "male", "German accent", "de+m1"},
    {"Daniel", "de-DE", "male", "German accent", "de+m2"},
    {"Conchita", "es-ES", "female", "Castilian accent", "es+f1"},
    {"Lucia", "es-ES", "female", "Castilian accent", "es+f2"},
    {"Enrique", "es-ES", "male", "Castilian accent", "es+m1"},
    {"Sergio", "es-ES", "male", "Castilian accent", "es+m2"},
    {"Lupe", "es-US", "female", "US Spanish accent", "es-419+f1"},
    {"Penelope", "es-US", "female", "US Spanish accent", "es-419+f2"},
    {"Miguel", "es-US", "male", "US Spanish accent", "es-419+m1"},
    {"Pedro", "es-US", "male", "US Spanish accent", "es-419+m2"},
    {"Mia", "es-MX", "female", "Mexican accent", "es-419+f3"},
    {"Andres", "es-MX", "male", "Mexican accent", "es-419+m3"},
    {"Carla", "it-IT", "female", "Italian accent", "it+f1"},
    {"Bianca", "it-IT", "female", "Italian accent", "it+f2"},
    {"Giorgio", "it-IT", "male", "Italian accent", "it+m1"},
    {"Adriano", "it-IT", "male", "Italian accent", "it+m2"},
    {"Vitoria", "pt-BR", "female", "Brazilian accent", "pt-br+f1"},
    {"Camila", "pt-BR", "female", "Brazilian accent", "pt-br+f2"},
    {"Ricardo", "pt-BR", "male", "Brazilian accent", "pt-br+m1"},
    {"Thiago", "pt-BR", "male", "Brazilian accent", "pt-br+m2"},
    {"Ines", "pt-PT", "female", "Portuguese accent", "pt+f1"},
    {"Cristiano", "pt-PT", "male", "Portuguese accent", "pt+m1"},
    {"Lotte", "nl-NL", "female", "Dutch accent", "nl+f1"},
    {"Ruben", "nl-NL", "male", "Dutch accent", "nl+m1"},
    {"Laura", "nl-NL", "female", "Dutch accent", "nl+f2"},
    {"Mizuki", "ja-JP", "female", "Japanese accent", "ja+f1"},
    {"Takumi", "ja-JP", "male", "Japanese accent", "ja+m1"},
    {"Kazuha", "ja-JP", "female", "Japanese accent", "ja+f2"},
    {"Tomoko", "ja-JP", "female", "Japanese accent", "ja+f3"},
    {"Seoyeon", "ko-KR", "female", "Korean accent", "ko+f1"},
    {"Zhiyu", "cmn-CN", "female", "Mandarin accent", "cmn+f1"},
    {"Tatyana", "ru-RU", "female", "Russian accent", "ru+f1"},
    {"Maxim", "ru-RU", "male", "Russian accent", "ru+m1"},
    {"Ewa", "pl-PL", "female", "Polish accent", "pl+f1"},
    {"Maja", "pl-PL", "female", "Polish accent", "pl+f2"},
    {"Jacek", "pl-PL", "male", "Polish accent", "pl+m1"},
    {"Jan", "pl-PL", "male", "Polish accent", "pl+m2"},
    {"Ola", "pl-PL", "female", "Polish accent", "pl+f3"},
    {"Filiz", "tr-TR", "female", "Turkish accent", "tr+f1"},
    {"Zeina", "arb", "female", "Arabic accent", "ar+f1"},
    {"Hala", "ar-AE", "female", "Gulf accent", "ar+f2"},
    {"Zayd", "ar-AE", "male", "Gulf accent", "ar+m1"},
    {"Naja", "da-DK", "female", "Danish accent", "da+f1"},
    {"Mads", "da-DK", "male", "Danish accent", "da+m1"},
    {"Sofie", "da-DK", "female", "Danish accent", "da+f2"},
    {"Liv", "nb-NO", "female", "Norwegian accent", "nb+f1"},
    {"Ida", "nb-NO", "female", "Norwegian accent", "nb+f2"},
    {"Astrid", "sv-SE", "female", "Swedish accent", "sv+f1"},
    {"Elin", "sv-SE", "female", "Swedish accent", "sv+f2"},
    {"Dora", "is-IS", "female", "Icelandic accent", "is+f1"},
    {"Karl", "is-IS", "male", "Icelandic accent", "is+m1"},
    {"Carmen", "ro-RO", "female", "Romanian accent", "ro+f1"},
    {"Gwyneth", "cy-GB", "female", "Welsh accent", "cy+f1"},
};
#define NVOICES (sizeof voices / sizeof voices[0])

const sr_pictory_voice *sr_pictory_voice_find(const char *name)
{
    for (size_t i = 0; name && i < NVOICES; i++)
        if (strcasecmp(voices[i].name, name) == 0) return &voices[i];
    return NULL;
}

const sr_pictory_voice *sr_pictory_voice_at(int i)
{
    return i >= 0 && (size_t)i < NVOICES ? &voices[i] : NULL;
}
