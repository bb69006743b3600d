"""The demo's home page, list of areas and Northgate's page in Welsh and Urdu.

Demonstration translations written by Signpost's developers, good enough to show the
translated site; a deployment has its own translated by fluent speakers in the CMS.
Keyed by the English text of each segment wagtail-localize finds on the page.
"""

WELSH = {
    "Safer Harbridge": "Harbridge Mwy Diogel",
    "Police, the council and local services are working together to close down drug dealing in Harbridge and help people who use drugs into treatment. Here is what is happening in your area and how you can help.": "Mae'r heddlu, y cyngor a gwasanaethau lleol yn cydweithio i roi diwedd ar werthu cyffuriau yn Harbridge a helpu pobl sy'n defnyddio cyffuriau i gael triniaeth. Dyma beth sy'n digwydd yn eich ardal a sut gallwch chi helpu.",
    "What is happening near me?": "Beth sy'n digwydd yn agos ataf i?",
    "Enter your postcode to see what police and partners are doing in your area.": "Rhowch eich cod post i weld beth mae'r heddlu a'u partneriaid yn ei wneud yn eich ardal.",
    "Find my area": "Dod o hyd i'm hardal",
    "Where we are working": "Ble rydyn ni'n gweithio",
    "Latest updates and news": "Y diweddariadau a'r newyddion diweddaraf",
    "Have your say": "Dweud eich dweud",
    "Tell us how safe your street feels. It is anonymous.": "Dywedwch wrthym pa mor ddiogel mae eich stryd yn teimlo. Mae'n ddienw.",
    "Get email updates": "Cael diweddariadau drwy e-bost",
    "News of what is being done where you live, about once a month. Leave any time.": "Newyddion am y gwaith sy'n digwydd lle rydych chi'n byw, tua unwaith y mis. Gallwch adael unrhyw bryd.",
    "Sign up for email updates": "Cofrestru i gael diweddariadau e-bost",
    "Passing on information safely": "Rhoi gwybodaeth yn ddiogel",
    "Help with drug use": "Help gyda defnyddio cyffuriau",
    "Your area": "Eich ardal",
    "Enter your postcode to see what police and partners are doing where you live.": "Rhowch eich cod post i weld beth mae'r heddlu a'u partneriaid yn ei wneud lle rydych chi'n byw.",
    "The initiative works in the areas listed on this page. You can still sign up for news about the whole town, pass on information safely and find help with drug use. For anything else, your local neighbourhood policing team is on 101.": "Mae'r cynllun yn gweithio yn yr ardaloedd a restrir ar y dudalen hon. Gallwch gofrestru o hyd i gael newyddion am y dref gyfan, rhoi gwybodaeth yn ddiogel a chael help gyda defnyddio cyffuriau. Am unrhyw beth arall, ffoniwch eich tîm plismona cymdogaeth lleol ar 101.",
    "Northgate neighbourhood policing team": "Tîm plismona cymdogaeth Northgate",
    "Find the team at the bus station office, weekdays 10am to noon.": "Mae'r tîm yn swyddfa'r orsaf fysiau, o ddydd Llun i ddydd Gwener, 10am tan hanner dydd.",
}

URDU = {
    "Safer Harbridge": "محفوظ ہاربرج",
    "Police, the council and local services are working together to close down drug dealing in Harbridge and help people who use drugs into treatment. Here is what is happening in your area and how you can help.": "پولیس، کونسل اور مقامی ادارے مل کر ہاربرج میں منشیات کی فروخت بند کرنے اور منشیات استعمال کرنے والوں کو علاج تک پہنچانے کے لیے کام کر رہے ہیں۔ یہاں دیکھیں کہ آپ کے علاقے میں کیا ہو رہا ہے اور آپ کیسے مدد کر سکتے ہیں۔",
    "What is happening near me?": "میرے قریب کیا ہو رہا ہے؟",
    "Enter your postcode to see what police and partners are doing in your area.": "یہ دیکھنے کے لیے اپنا پوسٹ کوڈ درج کریں کہ پولیس اور شراکت دار آپ کے علاقے میں کیا کر رہے ہیں۔",
    "Find my area": "میرا علاقہ تلاش کریں",
    "Where we are working": "ہم کہاں کام کر رہے ہیں",
    "Latest updates and news": "تازہ ترین معلومات اور خبریں",
    "Have your say": "اپنی رائے دیں",
    "Tell us how safe your street feels. It is anonymous.": "ہمیں بتائیں کہ آپ اپنی گلی میں کتنا محفوظ محسوس کرتے ہیں۔ یہ گمنام ہے۔",
    "Get email updates": "ای میل کے ذریعے تازہ معلومات حاصل کریں",
    "News of what is being done where you live, about once a month. Leave any time.": "آپ کے رہائشی علاقے میں ہونے والے کام کی خبریں، تقریباً مہینے میں ایک بار۔ جب چاہیں چھوڑ دیں۔",
    "Sign up for email updates": "ای میل اپ ڈیٹس کے لیے سائن اپ کریں",
    "Passing on information safely": "معلومات محفوظ طریقے سے پہنچانا",
    "Help with drug use": "منشیات کے استعمال میں مدد",
    "Your area": "آپ کا علاقہ",
    "Enter your postcode to see what police and partners are doing where you live.": "یہ دیکھنے کے لیے اپنا پوسٹ کوڈ درج کریں کہ پولیس اور شراکت دار آپ کے رہائشی علاقے میں کیا کر رہے ہیں۔",
    "The initiative works in the areas listed on this page. You can still sign up for news about the whole town, pass on information safely and find help with drug use. For anything else, your local neighbourhood policing team is on 101.": "یہ منصوبہ اس صفحے پر درج علاقوں میں کام کرتا ہے۔ آپ پھر بھی پورے شہر کی خبروں کے لیے سائن اپ کر سکتے ہیں، معلومات محفوظ طریقے سے پہنچا سکتے ہیں اور منشیات کے استعمال میں مدد حاصل کر سکتے ہیں۔ کسی بھی اور بات کے لیے اپنی مقامی محلہ پولیس ٹیم کو 101 پر کال کریں۔",
    "Northgate": "نارتھ گیٹ",
    "Northgate neighbourhood policing team": "نارتھ گیٹ محلہ پولیس ٹیم",
    "Find the team at the bus station office, weekdays 10am to noon.": "ٹیم بس اسٹیشن کے دفتر میں ملتی ہے، پیر سے جمعہ، صبح 10 بجے سے دوپہر 12 بجے تک۔",
}
