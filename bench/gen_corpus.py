# ruff: noqa: E501  (template and vocabulary lines are data; wrapping them hurts readability)
"""Synthetic news corpus generator for storyfold benchmarks.

Why synthetic: storyfold needs a corpus whose ground truth is known exactly (which
articles belong to one story, and which article was copied, lightly edited or
rewritten from which) and that can be regenerated at any size without licensing
questions.  Real-world effects that make story folding hard are imitated on purpose:

* stories of the same event type share a vocabulary and sentence templates but differ
  in places, people, organisations and numbers, so they are *hard negatives*;
* syndication produces verbatim copies wrapped in site boilerplate (trailers, related
  links, comment counters), exact duplicates, near copies with a sentence dropped,
  rewrites (synonyms, reordered/merged sentences, reworded quotes, shifted dates) and
  independent reports built from the same facts;
* story sizes are skewed: many singletons, a few stories with ~25 articles.

Everything is driven by one ``random.Random(seed)`` and never iterates over sets, so
the same ``--seed`` always yields byte-identical output.

Usage: ``python bench/gen_corpus.py --n 10000 --out bench/out/gen10k.jsonl --seed 7``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

YEAR_START = dt.date(2025, 1, 1)
MONTHS = ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"]
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIRST = ("Amara Bruno Chen Dana Elif Farid Greta Hugo Ines Jonas Kaito Lena Mateo Nadia Omar "
         "Priya Quentin Rosa Samir Tessa Uma Viktor Wen Ximena Yusuf Zofia Anders Bianca Cyrus "
         "Dmitri Esme Felix Hana Ivo Jana Kofi Lucia Marek Noor Otto").split()
LAST = ("Abara Berglund Castell Dorsey Ekwueme Fonseca Grunwald Haddad Iversen Jankovic Kovacs "
        "Lindqvist Moreau Nakamura Okafor Petrakis Quiroga Rahman Silva Tanaka Ulloa Varga "
        "Whitlock Xu Yilmaz Zeller Achebe Brandt Coelho Duarte Engel Ferreira Galloway Holm "
        "Ibarra Jensen Kowal Laurent Mbeki Novak Orsini Pellegrini Rasmussen Sato Toivonen").split()
SYL = "al ar bel cor dan el fen gar hal is kal lin mar nor or pel quin ros sal tor ul ven wes yar zan".split()
ORG_A = "Halvern Northgate Brightwater Corvane Ostrava Pellion Quarry Redfern Silvermoor Tideline Umbra Vantor Westmark Zenith Aldercrest Blueharbor".split()
ORG_B = ["Systems", "Holdings", "Energy", "Logistics", "Foods", "Motors", "Pharma", "Telecom",
         "Steel", "Bank", "Airlines", "Robotics", "Media Group", "Mining"]
OUTLET_A = "Harbor Valley Metro Capital Northern Coastal Lakeside Prairie Summit River Union Evening Morning Daily National Civic Frontier Granite Lantern Beacon".split()
OUTLET_B = "Ledger Courier Dispatch Herald Tribune Observer Gazette Post Chronicle Sentinel Report Record Review Times Bulletin Monitor".split()
WIRES = ["Meridian Wire", "Atlas Press", "Continental News Service", "Northstar Wire"]
TOPICS = ["housing", "energy", "water", "transport", "healthcare", "education", "pensions"]
CHARGES = ["fraud", "bribery", "embezzlement", "money laundering", "tax evasion", "insider trading"]
SPORTS = [("football", "goals"), ("basketball", "points"), ("hockey", "goals"), ("rugby", "points")]
GADGETS = ["smartphone", "electric scooter", "laptop", "smartwatch", "home battery", "e-reader"]

# Per event type: T title, L lede, D detail, B background, R speaker role, Q quote content.
# "{a|b}" picks one alternative, "<slot>" is filled from the story's facts.
TEMPLATES: dict[str, str] = {
    "earthquake": """
T: {Magnitude|M} <mag> earthquake {strikes|hits|rattles} <region>
T: {Deadly|Strong} quake {shakes|jolts} <city>, at least <dead> {dead|killed}
T: <dead> {dead|killed}, hundreds {injured|hurt} as quake {hits|strikes} near <city>
L: A magnitude <mag> earthquake {struck|hit|shook} <region> on <weekday>, killing at least <dead> people and {injuring|hurting} <injured> others, {officials|authorities} said.
L: At least <dead> people {died|were killed} after a {powerful|strong} earthquake {struck|hit} near <city> on <weekday>, {according to|said} <agency>.
D: The quake {struck|hit} at a depth of <depth> kilometres, <agency> said, and was felt as far away as <city2>.
D: Rescue {teams|crews} {worked through the night|searched through the rubble} in the old town of <city>, where {dozens of|<n1>} buildings {collapsed|were flattened}.
D: {More than|At least} <n3> residents spent the night in {tents|emergency shelters} set up in {schools|sports halls} across <region>.
D: {Power|Electricity} was {cut|knocked out} to {about|roughly} <n3> homes, and the main road to <city2> was closed by {landslides|fallen rocks}.
D: At least <n1> aftershocks were {recorded|registered} in the hours after the {main|first} tremor, the largest {measuring|with a magnitude of} <mag2>.
D: Hospitals in <city> said they had {treated|admitted} <injured> people, {many|most} with {fractures|head injuries}.
B: <region> lies on a {major|known} fault line and was last {hit|struck} by a {deadly|serious} quake in <pastyear>.
B: Engineers have {long|repeatedly} warned that {many|most} older buildings in <city> {do not meet|fall short of} {modern|current} seismic codes.
R: the head of <agency>|the mayor of <city>|a seismologist at the University of <city2>
Q: {We are|Our teams are} still {searching|looking} for people {trapped|buried} under the rubble
Q: The {shaking|tremor} lasted {almost|nearly} <n1> seconds, {it felt like|it was like} the whole building was {moving|swaying}
Q: Further aftershocks are {likely|expected} {over the coming days|this week}, and people should stay {out of|away from} damaged buildings
""",
    "election": """
T: <s1> {wins|claims victory in} <city> mayoral {race|election}
T: <party1> {sweeps|takes} <region> {vote|election} as turnout {hits|reaches} <pct> percent
T: {Voters|Electorate} in <region> hand <party1> {narrow|clear} win
L: <p1> of the <party1> won the <city> mayoral election on <weekday> with <pct> percent of the vote, {defeating|beating} <party2> candidate <p2>, {official|preliminary} results showed.
L: The <party1> {won|secured} a {majority|clear lead} in <region>'s regional election on <weekday>, {according to|said} <agency>, {with|after} turnout of <pct> percent.
D: <p2> {conceded|accepted defeat} late on <weekday> and {congratulated|called} <s1>, {promising|pledging} a {constructive|firm} opposition.
D: Turnout {stood at|reached} <pct2> percent, {up|down} from the previous election in <pastyear>, <agency> said.
D: <s1> {campaigned|ran} on promises to {expand|fix} <topic> {services|policy} and to {cut|freeze} local taxes.
D: {Counting|The count} was {delayed|held up} in <n1> districts after {complaints|reports} of {faulty|broken} voting machines.
D: The <party1> {will hold|now holds} <n2> of the seats on the {council|assembly}, {enough|more than enough} to pass a budget {without|with no need for} coalition partners.
B: The <party2> had {run|controlled} <city> for {more than|over} <n1> years before <weekday>'s vote.
B: {Observers|Election monitors} from <agency> said the vote was {largely|broadly} {orderly|peaceful}.
R: p1=the newly elected mayor|p2=the <party2> candidate|a political scientist at the University of <city>
Q: {Tonight|Today} the people of <city> {voted for|chose} change, and we will not let them down
Q: We {respect|accept} the result, but our {questions|concerns} about <topic> {remain|have not gone away}
Q: This was {a referendum on|a vote about} <topic> {more than anything else|above all}
""",
    "merger": """
T: <org> to {buy|acquire} <org2> in <money> deal
T: <org> {agrees|strikes deal} to {take over|merge with} <org2>
T: <org2> shares {jump|surge} <pct> percent on <org> {takeover|merger} news
L: <org> {agreed|has agreed} to {buy|acquire} {rival|competitor} <org2> for <money>, the companies said on <weekday>, in a deal that would create {one of the largest|a leading} {firms|groups} in the sector.
L: <org2> {agreed|said it had agreed} on <weekday> to be {taken over|acquired} by <org> in a <money> deal, {ending|closing} months of {talks|negotiations}.
D: The offer values <org2> shares at a premium of <pct> percent to their closing price on {Friday|the previous day}.
D: Shares of <org2> {jumped|rose} <pct2> percent in early trading in <city>, while <org> {slipped|fell} <n1> percent.
D: The {combined|merged} company would have {about|roughly} <n3> employees and annual revenue of <money2>.
D: The deal {requires|is subject to} approval from {regulators|competition authorities} and is expected to close {in|by} <month> next year.
D: <org> said it expected {annual|yearly} cost savings of <money3> by <futureyear>, {partly|in part} through {job cuts|merging offices}.
B: {Consolidation|Dealmaking} in the sector has {accelerated|picked up} as companies {struggle|fight} with rising costs.
B: <org2> had {rejected|turned down} an earlier {approach|offer} from <org> in <month>.
R: the chief executive of <org>|the chair of <org2>|an analyst at <org3>
Q: This {combination|deal} gives us the scale to {compete|invest} {globally|for the long term}
Q: We believe the offer {reflects|recognises} the {value|strength} of our business
Q: {Regulators|Competition authorities} will look {very|extremely} closely at this {deal|transaction}
""",
    "strike": """
T: {Workers|Staff} at <org> {walk out|strike} over pay
T: {Strike|Walkout} {halts|disrupts} <city> {transport|services} for {a|second} day
T: <union> {calls|announces} <n1>-day strike at <org>
L: {Thousands of|More than <n3>} workers at <org> {walked off the job|went on strike} on <weekday>, {demanding|calling for} a pay rise of <pct> percent, <union> said.
L: A strike by <union> {halted|shut down} {services|operations} across <city> on <weekday> after talks with <org> {collapsed|broke down}.
D: The union {says|argues} wages have {fallen|lagged} <pct2> percent behind inflation since <pastyear>.
D: <org> {offered|proposed} a <n1> percent increase, which the union {rejected|called} {inadequate|an insult}.
D: {Commuters|Passengers} in <city> faced {long queues|hours of delays} as only <n1> of <n2> {lines|routes} {operated|ran}.
D: {Picket lines|Pickets} formed outside <n1> {depots|sites} in <region> {before dawn|early in the morning}.
D: Talks are {scheduled|due} to resume on <weekday2> under a mediator appointed by <agency>.
B: It is the {first|largest} {strike|walkout} at <org> since <pastyear>.
B: <agency> {estimates|says} each day of the strike costs the regional economy <money2>.
R: the general secretary of <union>|a spokesperson for <org>|the transport minister
Q: Our members {cannot|can no longer} afford to {live|pay rent} in the city they keep running
Q: The {offer|proposal} on the table is {fair|generous} and {affordable|realistic}
Q: Nobody wins from a {long|prolonged} {strike|dispute}, and I urge both sides to return to talks
""",
    "trial": """
T: {Former|Ex-} <org> executive {found guilty|convicted} of <charge>
T: <p1> {trial|case} opens in <city> on <charge> charges
T: {Court|Judge} {sentences|jails} <s1> to <n1> years for <charge>
L: A court in <city> on <weekday> {found|declared} <p1>, a former {finance director|chief executive} of <org>, guilty of <charge>, {ending|closing} a trial that lasted <n1> weeks.
L: The trial of <p1>, {accused|charged} with <charge> {involving|worth} <money2>, {opened|began} at the <city> District Court on <weekday>.
D: Prosecutors {said|told the court} <s1> {moved|diverted} <money2> through {shell companies|offshore accounts} between <pastyear> and <pastyear2>.
D: Judge <p3> {said|told the court} the evidence {was|had been} {overwhelming|compelling} and {sentenced|jailed} <s1> to <n1> years.
D: <s1> {denied|has denied} all charges, and {his|the} lawyer <p2> said an appeal would be {filed|lodged} {within|in} <n1> days.
D: The court heard from <n2> witnesses, including {several|<n1>} former {employees|colleagues} of <org>.
D: <org> said it had {cooperated|worked} fully with {investigators|prosecutors} and had {replaced|overhauled} its {audit|compliance} team.
B: The case {began|started} after a {whistleblower|former employee} {contacted|alerted} <agency> in <pastyear>.
B: <charge> cases {rarely|seldom} reach trial in <region>, {legal experts|lawyers} say.
R: p2=the defence lawyer|the lead prosecutor|a law professor at the University of <city>
Q: My client {maintains|insists} he is innocent and we will {appeal|challenge this verdict}
Q: This verdict {shows|sends a message} that nobody is above the law
Q: The {sentence|ruling} is {unusually|relatively} {harsh|tough} for a case of this kind
""",
    "storm": """
T: Storm <storm> {batters|lashes} <region> with winds of <speed> km/h
T: {Thousands|<n3>} without power as Storm <storm> {hits|sweeps through} <city>
T: Storm <storm> {leaves|causes} {floods|flooding} and <dead> {dead|deaths} in <region>
L: Storm <storm> {swept|tore} through <region> on <weekday>, bringing winds of up to <speed> km/h and {leaving|cutting power to} <n3> homes {without electricity|in the dark}.
L: At least <dead> people were killed as Storm <storm> {battered|hit} <city> and {surrounding|nearby} {areas|towns} on <weekday>, <agency> said.
D: {Up to|More than} <rain> millimetres of rain fell in <n1> hours, {flooding|submerging} {streets|roads} in {central|low-lying} <city>.
D: {All|Most} flights at <city> airport were {cancelled|suspended}, and rail services to <city2> were {halted|stopped}.
D: {Schools|Schools and offices} in <n1> districts {will remain|were} closed on <weekday2>, {the regional government|officials} said.
D: {Emergency|Rescue} crews {carried out|made} <n2> rescues, {mostly|many} of people {trapped|stranded} in cars.
D: <agency> {issued|kept} a red warning for <region> {until|through} <weekday2> {morning|evening}.
B: <storm> is one of <n1> named storms so far in a season that {forecasters|meteorologists} had {predicted|warned} would be {unusually|particularly} active.
B: Insurers {estimate|expect} {damage|losses} could {exceed|top} <money2>.
R: the director of <agency>|a resident of <city>|a meteorologist at <agency>
Q: {Please|We urge people to} stay at home and {avoid|do not attempt} any {unnecessary|non-essential} travel
Q: The water rose so {quickly|fast} that we had {no time|only minutes} to move the car
Q: We {have not seen|haven't seen} rainfall like this in <region> for {decades|a generation}
""",
    "sports": """
T: <team1> {beat|defeat} <team2> to win {the|<city>} <sport> final
T: <team1> {crowned|are} champions after <score1>-<score2> {win|victory} over <team2>
T: {Late|Stunning} {comeback|finish} gives <team1> {the|a} <sport> title
L: <team1> {beat|defeated} <team2> <score1>-<score2> in the <sport> final in <city> on <weekday>, {winning|claiming} their first title since <pastyear>.
L: <p1> scored <n1> <unit> as <team1> {won|clinched} the <sport> {championship|title} with a <score1>-<score2> victory over <team2> on <weekday>.
D: A crowd of <n3> {watched|filled} the {stadium|arena} in <city>, {a record|the largest} for a final {in|at} the venue.
D: <team2> {led|were ahead} {at half-time|for most of the game} before <team1> {scored|added} <n1> unanswered <unit>.
D: {Captain|Veteran} <p1> was named player of the match after {scoring|contributing} <n1> <unit>.
D: <team2> coach <p2> {said|admitted} his side had {run out of energy|lost focus} in the {final|closing} minutes.
D: Fans {celebrated|partied} in the streets of <city2> {until|late into} the {early hours|night}.
B: <team1> had lost {the|two previous} finals in <pastyear> and <pastyear2>.
B: The {final|match} was {broadcast|shown} live to an {estimated|expected} <n3> viewers.
R: p1=the <team1> captain|p2=the <team2> coach|the <team1> coach
Q: {This one|This title} is for {the fans|everyone} who {stuck with us|believed in us} through the {hard|bad} years
Q: We {had|gave} everything, but they {were|played} better in the {last|final} <n1> minutes
Q: {Nobody|No one} gave us a chance in <month>, and look at us now
""",
    "product": """
T: <org> {unveils|launches} <product> <gadget>
T: <org> {bets|pins hopes} on new <product> <gadget>
T: <org>'s <product> {goes on sale|hits shelves} at <price>
L: <org> {unveiled|launched} the <product>, a new <gadget>, at an event in <city> on <weekday>, {pricing|setting} it at <price>.
L: <org> on <weekday> {introduced|presented} the <product> <gadget>, its {first|latest} {attempt|effort} to {win back|grow} market share.
D: The <product> {will go on sale|goes on sale} in <n1> countries {on|from} <month> <n1>, the company said.
D: <org> {claims|says} the battery lasts <n1> hours, <pct> percent {longer|more} than the previous model.
D: {Analysts|Industry watchers} at <org3> expect the company to sell <n3> units in the first {year|quarter}.
D: The device {uses|is built around} a chip {designed|developed} {in-house|by <org2>}, the company said.
D: Shares of <org> {rose|climbed} <pct2> percent after the announcement.
B: <org> {has lost|lost} market share to <org2> over the past <n1> years.
B: The <gadget> market {shrank|fell} <pct2> percent last year, according to <org3>.
R: the chief executive of <org>|the head of product at <org>|an analyst at <org3>
Q: The <product> is the {most ambitious|best} product we have ever {built|made}
Q: We {listened|paid attention} to {customers|users}, and battery life was the number one request
Q: The price is {aggressive|steep}, and it will {test|tell us} how loyal <org> customers really are
""",
    "policy": """
T: {Government|Ministers} {unveil|announce} <money> <topic> plan
T: <region> to {overhaul|reform} <topic> {rules|policy} from <futureyear>
T: New <topic> {law|policy} {passes|clears} {parliament|assembly} in <region>
L: The government of <region> on <weekday> {announced|unveiled} a <money> plan to {overhaul|reform} <topic>, {promising|pledging} results {by|before} <futureyear>.
L: {Lawmakers|The assembly} in <region> {approved|passed} a {sweeping|major} <topic> {bill|law} on <weekday> by <n2> votes to <n1>.
D: The plan {includes|sets aside} <money2> for <city>, where {demand|pressure} on <topic> {services|budgets} is {highest|greatest}.
D: Minister <p1> said the {changes|reforms} would {affect|benefit} {about|roughly} <n3> households.
D: {Opposition|Critics} leader <p2> {called|described} the plan {underfunded|too little, too late}.
D: The {measures|rules} will be {phased in|introduced} over <n1> years, starting in <month>.
D: <agency> will {oversee|monitor} {spending|the programme} and {publish|release} a {progress report|review} every <n1> months.
B: Spending on <topic> in <region> {has risen|rose} <pct> percent since <pastyear>.
B: {Surveys|Polls} show <pct2> percent of voters {rank|name} <topic> as their {top|main} concern.
R: p1=the minister for <topic>|p2=the opposition leader|a policy researcher at <org3>
Q: This is the {biggest|largest} investment in <topic> in a generation
Q: The {numbers|figures} simply do not {add up|work}, and families will {pay the price|bear the cost}
Q: The {details|fine print} {matter|will matter} more than the headline {figure|number}
""",
    "protest": """
T: {Thousands|Tens of thousands} {march|rally} in <city> over <topic>
T: {Police|Riot police} {clash|clash with protesters} at <city> <topic> {march|rally}
T: <topic> protest {draws|brings} <n3> to streets of <city>
L: {Thousands of|An estimated <n3>} people {marched|rallied} through {central|downtown} <city> on <weekday> to protest against {cuts|changes} to <topic>, {organisers|police} said.
L: Police {detained|arrested} <n2> people on <weekday> after {clashes|scuffles} at a <topic> {protest|demonstration} in <city> that {drew|attracted} {thousands|<n3> people}.
D: Protesters {carried|held} {banners|placards} {reading|saying} "Hands off our <topic>" as they {marched|walked} toward the {regional assembly|city hall}.
D: {Police|Officers} used {tear gas|pepper spray} near <city> {square|station} after a group {threw|hurled} {bottles|stones}, <agency> said.
D: <n1> officers and <n2> protesters were {treated|hurt}, {mostly|mainly} for {minor|light} injuries.
D: Organisers from <union> said {further|more} {protests|marches} were planned in <city2> on <weekday2>.
D: {Shops|Businesses} along the route {closed|shut} early, and {several|<n1>} {tram|bus} lines were {diverted|suspended}.
B: The government plans to {cut|reduce} <topic> spending by <pct> percent {over|in} the next <n1> years.
B: It was the {largest|biggest} protest in <city> since <pastyear>, {according to|said} <agency>.
R: an organiser with <union>|the police chief of <city>|a spokesperson for the regional government
Q: We will keep {marching|coming back} until they {listen|drop the plan}
Q: {The vast majority|Most} of the {protesters|marchers} were {peaceful|calm}, but a small group came {looking for trouble|to fight}
Q: The government {remains|is} open to {dialogue|talks}, but the {budget|spending plan} {will not change|is final}
""",
}
GENERIC = """
{Local media|Local broadcasters} in <city> {reported|showed} {long queues|crowded streets|heavy traffic} {throughout|for much of} the day.
The {development|news} {comes|arrives} as {residents|businesses} in <region> {face|grapple with} {rising costs|a tight budget|uncertainty about the months ahead}.
{Officials|Authorities} said {further|more} {updates|details} would be {published|released} {later in the week|in the coming days|on <weekday2>}.
{Analysts|Observers} said the {episode|situation} could {shape|influence} {debate|politics} in <region> for {months|years} to come.
A {spokesperson|spokeswoman|spokesman} for <agency> {declined to comment|did not respond to a request for comment} on {the figures|specific numbers}.
{According to|Citing} {figures|data} {from|published by} <agency>, {about|roughly} <gpct> percent of {households|residents} in <region> {were|have been} affected.
{Social media|Online forums} {filled|lit up} with {photos|videos|comments} {from|posted by} {residents|onlookers} {within minutes|shortly afterwards}.
{Residents|People} in <city2> said they {were following|had followed} events {closely|with concern}, {fearing|worried about} {knock-on effects|what comes next}.
The {mayor|city council} of <city> {scheduled|called} an {emergency|extraordinary} meeting for <weekday2> to {discuss|review} the {response|situation}.
{Reporters|Journalists} {at the scene|on the ground} {described|reported} a {tense|sombre|chaotic} {atmosphere|mood} {late into the evening|into the night}.
The {events|developments} {drew|prompted} {reactions|statements} from {leaders|politicians} across <region> and beyond.
{It|The episode} {is|was} the {latest|newest} in a series of {setbacks|challenges} for <region>, which {has struggled|struggled} {since|after} <pastyear>.
{Details|Further details} {remained|were still} {scarce|unclear} {late on|as of} <weekday>, and {figures|numbers} {could|may} {change|rise}.
{A survey|A poll} by <org3> {last month|in <month>} found that <gpct2> percent of {respondents|people asked} {expected|feared} {more|further} {disruption|trouble}.
<agency> {said|confirmed} it had {set up|opened} a {hotline|help line} and {received|taken} <n2> calls by {evening|nightfall}.
{International|Foreign} {observers|media} {followed|covered} the {events|story} {closely|in detail}, with {several|some} {broadcasters|channels} {carrying|showing} live {coverage|pictures}.
{Traffic|Travel} {around|near} <city> {remained|stayed} {slow|disrupted} {into the evening|well into the evening}, {local|regional} {radio|police} said.
{Business|Community} leaders in <city> {called for|demanded} {clear|quick} {answers|decisions} from <agency>.
The {story|news} {dominated|led} {front pages|evening bulletins} in <region> on <weekday2>.
{Some|Many} {residents|shop owners} said they had {heard|received} {no|little} {warning|information} {beforehand|in advance}.
{Schools|Universities} in <city2> {held|organised} {discussions|special classes} about the {events|news} {the following day|later in the week}.
An {independent|external} {review|inquiry} {is expected|could be ordered} {once|after} {the|all} {facts|figures} are {known|in}, {lawmakers|officials} said.
{Insurance|Legal} {experts|advisers} {told|advised} {residents|businesses} to {keep|collect} {receipts|records} {and|as well as} {photos|documents}.
A {fundraising|donation} {page|drive} {set up|launched} by {neighbours|volunteers} {raised|collected} <gmoney> within <gn2> days.
""".strip().splitlines()
SYNONYMS: dict[str, list[str]] = {
    k: v.split("|") for k, v in (e.split(":") for e in """
said:stated|told reporters|noted; says:states|notes; struck:hit|rocked; killed:left dead
residents:locals|inhabitants; officials:authorities; people:individuals|persons
about:around; roughly:about|some; more:further; large:big|sizeable
largest:biggest; big:large|major; new:fresh|latest; after:following; before:ahead of
announced:revealed|unveiled; rose:climbed|increased; fell:dropped|declined
jumped:surged|soared; cut:reduced|slashed; expected:anticipated|forecast
plan:proposal|scheme; company:firm|group; deal:agreement|transaction
workers:employees|staff; police:officers; protesters:demonstrators
government:administration|authorities; city:town; homes:houses|households; began:started
help:assist; show:reveal|indicate; shows:reveals|indicates; warned:cautioned
urged:called on; increase:rise; several:a number of|various; many:numerous|a lot of
also:additionally|as well; quickly:rapidly|swiftly; closely:carefully; major:significant|key
announcement:statement; meeting:session; talks:negotiations; damaged:hit|affected
""".strip().replace("\n", "; ").split("; "))
}
# Phrase-level paraphrases used by rewrites (regex -> alternatives), on top of SYNONYMS.
PHRASES = [(re.compile(rf"\b{k}\b"), v.split("|")) for k, v in (e.split(":") for e in """
at least:no fewer than|a minimum of; more than:over|upwards of; according to:citing|as reported by
officials said:authorities said|officials told reporters; the company said:according to the company
would be:will be; in the hours after:in the hours following; as far away as:as far as
in early trading:in morning trade; were killed:died|lost their lives; on the table:being offered
expected to:set to|likely to; for the first time:for the first time ever; later in the week:this week
percent:per cent|%; million:mln|m; billion:bn; said it had:said it; did not:didn't; has been:was
""".strip().replace("\n", "; ").split("; "))]
KEEP_CAPS = {"Storm", "Minister", "Judge", "Captain", "Veteran", "Opposition", "Critics", "Organisers"}
TRAILERS = [
    "SIMILAR NEWS:\n{rel1}\n{rel2}\nSource: {wire} | Read more ⮕",
    "COMMENTS ({ncom})\nLog in to join the discussion.",
    "Related: {rel1}",
    "Follow {outlet} for the latest updates. Subscribe to our newsletter.",
    "© 2025 {outlet}. All rights reserved. This material may not be republished without permission.",
    "Share this article: Facebook | X | Email | Print",
    "Tags: {tag}, {city}, news",
]
INDIRECT = {"we": "they", "We": "They", "our": "their", "Our": "Their", "us": "them"}
_INDIRECT = re.compile(r"\b(?:we|We|our|Our|us)\b")
_CHOICE = re.compile(r"\{([^{}]*)\}")
_SLOT = re.compile(r"<(\w+)>")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass
class Quote:
    """A quote kept structured until rendering, so that rewrites can re-attribute it."""

    speaker: str
    role: str
    text: str
    style: int = 0  # 0 '"q," said S, role.'  1 'S, role, said: "q."'  2 indirect


Sentence = str | Quote


@dataclass
class Story:
    """Facts shared by all articles of one story; derived articles edit the original's body."""

    label: str
    kind: str
    day: int
    facts: dict[str, str]
    speakers: list[tuple[str, str]]
    sections: dict[str, list[str]]
    wire: str


@dataclass
class Article:
    """One output record plus the structured body that derived articles start from."""

    id: str
    story: Story
    role: str
    day: int
    outlet: tuple[str, str]
    title: str
    body: list[list[Sentence]]
    dateline: str
    derived_from: str | None = None
    trailer: str = ""


class CorpusGenerator:
    """Builds stories, then articles, from one seeded RNG (see module docstring for why)."""

    def __init__(self, seed: int = 7, days: int = 365) -> None:
        self.rng = random.Random(seed)
        self.days = days  # the span the stories start in: a longer stream at the same density
        self.cities = self._unique(lambda: self._place_name(), 120)
        self.outlets = self._make_outlets(40)
        self.sections = {k: self._parse(v) for k, v in TEMPLATES.items()}
        self.titles: list[str] = []  # recent titles, used for "Related:" boilerplate
        self.ids: set[str] = set()
        self.outlet_trailers = {o[0]: self.rng.sample(range(len(TRAILERS)), self.rng.randint(1, 3))
                                for o in self.outlets}

    # ---- vocabulary -------------------------------------------------------------------
    def _unique(self, make, n: int) -> list[str]:
        out: list[str] = []
        while len(out) < n:
            item = make()
            if item not in out:
                out.append(item)
        return out

    def _place_name(self) -> str:
        r = self.rng
        base = "".join(r.choice(SYL) for _ in range(r.randint(2, 3))).capitalize()
        return r.choice(["{}", "{}", "{}", "Port {}", "{} Falls", "San {}", "{}ville", "New {}"]).format(base)

    def _make_outlets(self, n: int) -> list[tuple[str, str]]:
        names = self._unique(lambda: f"{self.rng.choice(OUTLET_A)} {self.rng.choice(OUTLET_B)}", n)
        names = [("The " + x) if self.rng.random() < 0.3 else x for x in names]
        return [(x, x.lower().removeprefix("the ").replace(" ", "") + ".example") for x in names]

    @staticmethod
    def _parse(spec: str) -> dict[str, list[str]]:
        sections: dict[str, list[str]] = {}
        for line in spec.strip().splitlines():
            key, _, text = line.partition(": ")
            sections.setdefault(key, []).extend(text.split("|") if key == "R" else [text])
        return sections

    def _person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def _facts(self, day: int) -> dict[str, str]:
        """Draw every slot any template may use; differing entities make hard negatives."""
        r = self.rng
        city, city2 = r.sample(self.cities, 2)
        date = YEAR_START + dt.timedelta(days=day)
        people = [self._person() for _ in range(6)]
        orgs = [f"{a} {b}" for a, b in zip(r.sample(ORG_A, 3), r.sample(ORG_B, 3), strict=True)]
        sport, unit = r.choice(SPORTS)
        s1, s2 = sorted(r.sample(range(0, 40 if unit == "points" else 7), 2), reverse=True)
        money = lambda lo, hi, u: f"${r.uniform(lo, hi):.1f} {u}"  # noqa: E731
        past = sorted(r.sample(range(1995, 2024), 2))
        f = {
            "city": city, "city2": city2, "region": f"{r.choice(['northern', 'southern', 'eastern', 'western', 'central'])} {r.choice(self.cities)} province",
            "weekday": WEEKDAYS[date.weekday()], "weekday2": WEEKDAYS[(date.weekday() + r.randint(1, 3)) % 7],
            "month": r.choice(MONTH_NAMES), "pastyear": str(past[0]), "pastyear2": str(past[1]),
            "futureyear": str(r.randint(2026, 2032)), "org": orgs[0], "org2": orgs[1], "org3": orgs[2],
            "agency": f"the {r.choice(['National', 'Regional', 'Federal', 'Civil'])} {r.choice(['Emergency', 'Statistics', 'Safety', 'Oversight', 'Weather'])} {r.choice(['Agency', 'Authority', 'Office'])}",
            "union": f"the {r.choice(['United', 'General', 'Allied'])} {r.choice(['Transport', 'Metal', 'Public Service', 'Rail'])} Workers Union",
            "party1": f"{r.choice(['Civic', 'Progress', 'Green', 'Liberty'])} Party", "party2": f"{r.choice(['People', 'Unity', 'Reform', 'Labour'])} Alliance",
            "team1": f"{city} {r.choice(['Lions', 'Rovers', 'Comets', 'Wolves'])}", "team2": f"{city2} {r.choice(['United', 'Falcons', 'Bears', 'Titans'])}",
            "sport": sport, "unit": unit, "score1": str(s1), "score2": str(s2),
            "product": f"{r.choice(['Nova', 'Aero', 'Pulse', 'Orbit', 'Lumen'])} {r.randint(2, 9)}", "gadget": r.choice(GADGETS),
            "price": f"${r.randint(199, 1499)}", "storm": r.choice(FIRST), "topic": r.choice(TOPICS), "charge": r.choice(CHARGES),
            "mag": f"{r.uniform(4.8, 7.9):.1f}", "mag2": f"{r.uniform(3.5, 5.5):.1f}", "depth": str(r.randint(5, 80)),
            "speed": str(r.randint(90, 210)), "rain": str(r.randint(60, 300)), "dead": str(r.randint(2, 90)),
            "injured": str(r.randint(20, 900)), "n1": str(r.randint(3, 12)), "n2": str(r.randint(14, 480)),
            "n3": f"{r.randint(2, 95) * 1000:,}", "pct": f"{r.uniform(5, 65):.1f}", "pct2": f"{r.uniform(1, 40):.1f}",
            "money": money(1, 40, "billion"), "money2": money(50, 900, "million"), "money3": money(50, 900, "million"),
            # Generic background sentences draw their own numbers so figures don't repeat.
            "gpct": f"{r.uniform(2, 70):.1f}", "gpct2": f"{r.uniform(10, 80):.0f}",
            "gn": str(r.randint(40, 3000)), "gn2": str(r.randint(2, 9)), "gmoney": f"${r.randint(5, 900)},000",
        }
        for i, p in enumerate(people, 1):
            f[f"p{i}"], f[f"s{i}"] = p, p.split()[-1]
        return f

    # ---- grammar ------------------------------------------------------------------------
    def expand(self, template: str, facts: dict[str, str]) -> str:
        """Fill '{a|b}' choices and '<slot>' facts, then capitalise the first letter."""
        s = _CHOICE.sub(lambda m: self.rng.choice(m.group(1).split("|")), template)
        s = _SLOT.sub(lambda m: facts[m.group(1)], s).replace("s's ", "s' ")
        return s[0].upper() + s[1:]

    def synonymise(self, text: str, rate: float) -> str:
        """Replace known words by synonyms with probability `rate`, keeping capitalisation."""
        def sub(m: re.Match[str]) -> str:
            w = m.group(0)
            alts = SYNONYMS.get(w.lower())
            if not alts or self.rng.random() >= rate:
                return w
            alt = self.rng.choice(alts)
            return alt[0].upper() + alt[1:] if w[0].isupper() else alt
        return _WORD.sub(sub, text)

    def paraphrase(self, text: str, rate: float) -> str:
        """Phrase paraphrases, then synonyms: what a rewriting editor changes first."""
        r = self.rng
        for pattern, alts in PHRASES:
            if pattern.search(text):
                text = pattern.sub(lambda m, alts=alts: r.choice(alts) if r.random() < rate else m.group(0), text)
        return self.synonymise(text, rate)

    # ---- stories and articles -----------------------------------------------------------
    def new_story(self, label: str) -> Story:
        r = self.rng
        kind = r.choice(list(TEMPLATES))
        day = r.randrange(self.days)
        facts = self._facts(day)
        sec = self.sections[kind]
        # "pN=role" ties a role to a person the templates already name; others get p4, p5...
        speakers, spare = [], 4
        for spec in sec["R"]:
            slot, _, role = spec.rpartition("=")
            if not slot:
                slot, spare = f"p{spare}", spare + 1
            role = self.expand(role, facts)
            speakers.append((facts[slot], role[0].lower() + role[1:]))
        return Story(label, kind, day, facts, speakers, sec, r.choice(WIRES))

    def compose(self, story: Story) -> list[list[Sentence]]:
        """Write a fresh body (150-600 words) from the story's facts; used by originals and
        independent reports, so two reports of one event share facts but not wording."""
        r, f, sec = self.rng, story.facts, story.sections
        target = r.randint(150, 600)
        first = r.choice(sec["D"])
        lede = [self.expand(r.choice(sec["L"]), f), self.expand(first, f)]
        pool = [t for t in sec["D"] + sec["B"] + GENERIC if t != first]
        r.shuffle(pool)
        # quote i belongs to speaker i: the templates pair them (the lawyer defends the client)
        quotes = r.sample(list(enumerate(sec["Q"])), len(sec["Q"]))
        body: list[list[Sentence]] = [lede]
        words, mentioned = sum(len(s.split()) for s in lede), set()
        while words < target and (pool or quotes):
            if quotes and (not pool or r.random() < 0.3):
                i, template = quotes.pop()
                name, role = story.speakers[i % len(story.speakers)]
                q = Quote(name, role, self.expand(template, f), 1 if r.random() < 0.3 else 0)
                if name in mentioned:
                    q.role = ""
                mentioned.add(name)
                para: list[Sentence] = [q]
            else:
                para = [self.expand(pool.pop(), f) for _ in range(min(len(pool), r.randint(1, 3)))]
            body.append(para)
            words += sum(len((s.text if isinstance(s, Quote) else s).split()) for s in para)
        return body

    def dateline(self, story: Story, day: int, agency: str) -> str:
        date = YEAR_START + dt.timedelta(days=day)
        return f"{story.facts['city'].upper()}, {MONTHS[date.month - 1]} {date.day} ({agency}) — "

    def new_id(self) -> str:
        while True:
            i = f"{self.rng.getrandbits(40):010x}"
            if i not in self.ids:
                self.ids.add(i)
                return i

    def original(self, story: Story) -> Article:
        title = self.expand(self.rng.choice(story.sections["T"]), story.facts)
        self.titles.append(title)
        return Article(self.new_id(), story, "original", story.day, self.rng.choice(self.outlets), title,
                       self.compose(story), self.dateline(story, story.day, story.wire))

    def derive(self, src: Article, role: str, exact: bool = False) -> Article:
        """Make a copy / near copy / rewrite of `src`, or an independent report of its story."""
        r, story = self.rng, src.story
        outlets = [o for o in self.outlets if o != src.outlet]
        a = Article(self.new_id(), story, role, src.day, r.choice(outlets), src.title,
                    [list(p) for p in src.body], src.dateline, src.id)
        if role == "copy":
            a.day += r.choice([0, 0, 0, 1])
            if not exact:
                a.trailer = self.trailer(a)
                if r.random() < 0.3:
                    a.title = f"{src.title} - {a.outlet[0]}"
        elif role == "near":
            a.day += r.randint(0, 2)
            self._near_edit(a)
            a.trailer = self.trailer(a) if r.random() < 0.6 else ""
        elif role == "rewrite":
            a.day += r.randint(1, 7) if r.random() < 0.4 else r.randint(0, 1)
            self._rewrite(a)
        else:  # independent report: same facts, fresh wording, no provenance link
            a.day, a.derived_from = story.day + r.randint(0, 3), None
            a.body = self.compose(story)
            a.title = self.expand(r.choice(story.sections["T"]), story.facts)
            a.dateline = f"{story.facts['city'].upper()} ({a.outlet[0]}) — " if r.random() < 0.7 else ""
        a.day = min(a.day, self.days - 1)
        return a

    def _near_edit(self, a: Article) -> None:
        r = self.rng
        for _ in range(r.randint(1, 2)):
            paras = [i for i, p in enumerate(a.body) if i > 0 and p]
            if paras:
                p = a.body[r.choice(paras)]
                p.pop(r.randrange(len(p)))
        a.body = [p for p in a.body if p]
        for _ in range(r.randint(1, 3)):
            i = r.randrange(len(a.body))
            j = r.randrange(len(a.body[i]))
            if isinstance(a.body[i][j], str):
                a.body[i][j] = self.synonymise(a.body[i][j], 0.5)
        if r.random() < 0.4:
            a.title = self.synonymise(a.title, 0.6)

    def _rewrite(self, a: Article) -> None:
        """Synonyms, reordered and merged sentences, re-attributed quotes, new title."""
        r = self.rng
        rate = r.uniform(0.4, 0.9)  # how heavy-handed this editor is
        sents = [s for p in a.body[1:] for s in p]
        r.shuffle(sents)
        out: list[Sentence] = []
        for s in sents:
            if isinstance(s, Quote):
                s = Quote(s.speaker, s.role, self.paraphrase(s.text, rate), r.choice([0, 1, 2, 2]))
            elif out and isinstance(out[-1], str) and r.random() < 0.25:
                first = s.split(" ", 1)[0]  # lower-case it unless it starts a name
                proper = first in KEEP_CAPS or any(first in v.split() for v in a.story.facts.values())
                s2 = s if proper else s[0].lower() + s[1:]
                out[-1] = out[-1].rstrip(".") + ", and " + self.paraphrase(s2, rate)
                continue
            else:
                s = self.paraphrase(s, rate)
            out.append(s)
        for _ in range(r.choice([0, 0, 1, 2])):  # editors cut, too
            if out:
                out.pop(r.randrange(len(out)))
        roles, seen = dict(a.story.speakers), set()
        for i, s in enumerate(out):  # after reordering, introduce each speaker at first mention
            if isinstance(s, Quote):
                out[i] = Quote(s.speaker, "" if s.speaker in seen else roles[s.speaker], s.text, s.style)
                seen.add(s.speaker)
        lede = [self.paraphrase(s, rate) if isinstance(s, str) else s for s in a.body[0]]
        body = [lede]
        while out:
            k = r.randint(1, 3)
            body.append(out[:k])
            out = out[k:]
        a.body = body
        a.title = self.synonymise(self.expand(r.choice(a.story.sections["T"]), a.story.facts), 0.5)
        a.dateline = r.choice(["", f"{a.story.facts['city'].upper()} — ", a.dateline])

    def trailer(self, a: Article) -> str:
        r = self.rng
        vals = {"rel1": r.choice(self.titles[-500:]), "rel2": r.choice(self.titles[-500:]),
                "wire": a.story.wire, "ncom": str(r.randint(0, 250)), "outlet": a.outlet[0],
                "tag": a.story.kind, "city": a.story.facts["city"]}
        return "\n\n".join(TRAILERS[k].format(**vals) for k in self.outlet_trailers[a.outlet[0]])

    # ---- rendering ----------------------------------------------------------------------
    @staticmethod
    def render_sentence(s: Sentence) -> str:
        if isinstance(s, str):
            return s
        who = f"{s.speaker}, {s.role}," if s.role else s.speaker
        if s.style == 0:
            return f"“{s.text},” said {s.speaker}{', ' + s.role if s.role else ''}."
        if s.style == 1:
            return f"{who} said: “{s.text}.”"
        text = _INDIRECT.sub(lambda m: INDIRECT[m.group(0)], s.text[0].lower() + s.text[1:])
        return f"{who} {'said' if s.role else 'added'} that {text}."

    def record(self, a: Article) -> dict[str, str | None]:
        paras = [" ".join(self.render_sentence(s) for s in p) for p in a.body]
        paras[0] = a.dateline + paras[0]
        if a.trailer and self.rng.random() < 0.3 and len(paras) > 3:
            paras.insert(self.rng.randint(2, len(paras) - 1), "ADVERTISEMENT")
        text = "\n\n".join(paras) + ("\n\n" + a.trailer if a.trailer else "")
        date = YEAR_START + dt.timedelta(days=a.day)
        slug = "-".join(_WORD.findall(a.title.lower())[:8])
        return {"id": a.id, "title": a.title, "text": text, "date": date.isoformat(),
                "url": f"https://www.{a.outlet[1]}/news/{date:%Y/%m/%d}/{slug}-{a.id[:6]}",
                "source": a.outlet[0], "cluster": a.story.label, "role": a.role,
                "derived_from": a.derived_from}

    def generate(self, n: int) -> list[dict[str, str | None]]:
        """Generate n articles; story sizes follow a truncated power law (k^-1.6, 1..25)."""
        r = self.rng
        sizes = list(range(1, 26))
        weights = [k ** -1.6 for k in sizes]
        arts: list[Article] = []
        s = 0
        while len(arts) < n:
            size = min(r.choices(sizes, weights)[0], n - len(arts))
            story = self.new_story(f"s{s:05d}")
            s += 1
            story_arts = [self.original(story)]
            for _ in range(size - 1):
                role = r.choices(["copy", "near", "rewrite", "independent"], [0.3, 0.25, 0.25, 0.2])[0]
                # Chains (copy of a rewrite) happen; otherwise syndication starts at the original.
                exact = role == "copy" and r.random() < 0.22  # exact duplicates copy the original
                src = r.choice(story_arts) if r.random() < 0.25 and not exact else story_arts[0]
                story_arts.append(self.derive(src, role, exact))
            arts.extend(story_arts)
        recs = [self.record(a) for a in arts]
        keyed = [(rec["date"], r.random(), rec) for rec in recs]
        keyed.sort(key=lambda t: (t[0], t[1]))
        return [t[2] for t in keyed]


def generate(n: int, seed: int = 7, days: int = 365) -> list[dict[str, str | None]]:
    """Convenience entry point for benchmarks that import this module."""
    return CorpusGenerator(seed, days).generate(n)


def iter_jsonl(records: list[dict[str, str | None]]) -> Iterator[str]:
    for rec in records:
        yield json.dumps(rec, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000, help="number of articles")
    ap.add_argument("--out", type=Path, default=Path("bench/out/gen10k.jsonl"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--days", type=int, default=365,
                    help="days the stories start in (365: a year; 3650 for 100k keeps the "
                         "10k-a-year density over ten years)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    recs = generate(args.n, args.seed, args.days)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        fh.writelines(iter_jsonl(recs))
    took = time.perf_counter() - t0
    roles = Counter(r["role"] for r in recs)
    sizes = Counter(Counter(r["cluster"] for r in recs).values())
    texts = Counter(r["text"] for r in recs)
    exact = sum(c - 1 for c in texts.values() if c > 1)
    print(f"wrote {len(recs)} articles to {args.out} in {took:.2f}s; stories={sum(sizes.values())} "
          f"singletons={sizes[1]} roles={dict(sorted(roles.items()))} exact_dups={exact} "
          f"({100 * exact / max(1, len(recs)):.1f}%)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
