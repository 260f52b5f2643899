// Oraculum web page: Tarot readings and daily horoscopes from the /v1 API.
// Plain ES module, no build step. API text is only ever inserted as text nodes.

const STORE = { key: "oraculum.apiKey", lang: "oraculum.lang" };
const SVG_NS = "http://www.w3.org/2000/svg";
const CITATION = /\[([^[\]\s]+#\d+)\]/g;

const I18N = {
  en: {
    tagline: "Tarot and horoscopes, grounded and cited",
    apiKey: "API key",
    language: "Language",
    keyHint: "Kept in this browser only (localStorage).",
    tarot: "Tarot",
    horoscope: "Horoscope",
    question: "Your question",
    questionPlaceholder: "What should I keep in mind as I start this new job?",
    spread: "Spread",
    seed: "Seed (optional)",
    seedPlaceholder: "random",
    draw: "Draw",
    drawing: "Drawing…",
    reading: "Reading",
    sources: "Sources",
    sign: "Sign",
    date: "Date",
    read: "Read the day",
    readingBusy: "Reading…",
    horoscopeHeading: "The day",
    sky: "The sky",
    planet: "Planet",
    inSign: "Sign",
    degree: "Degree",
    retrograde: "retrograde",
    disclaimer: "For reflection and entertainment; not medical, legal or financial advice.",
    upright: "Upright",
    reversed: "Reversed",
    model: "Model",
    degraded: "Degraded",
    degradedYes: "yes: the model failed, the extractive composer answered",
    no: "no",
    cached: "Cached",
    yes: "yes",
    seedUsed: "Seed",
    seedRandom: "random",
    timings: "Timings",
    retrieve: "retrieve",
    generate: "generate",
    total: "total",
    notes: "Notes",
    asked: "You asked",
    field: "field",
    noKeyTitle: "An API key is needed",
    noKeyDetail:
      "Enter an API key above; every /v1 call sends it as 'Authorization: Bearer <key>'.",
    networkTitle: "The server could not be reached",
    networkDetail: "Check that `oraculum serve` is running, then try again.",
    lit: "lit",
    positions: "Positions",
    cardSource: "Meaning from source",
    synthesis: "Synthesis",
    comingDays: "The coming days",
    wheelHeading: "Natal chart wheel",
    birthDate: "Birth date",
    birthTime: "Birth time",
    zone: "Time zone",
    latitude: "Latitude",
    longitude: "Longitude",
    drawWheel: "Draw the wheel",
    house: "house",
    focusLabel: "Read for",
    positionAsks: "This position",
    focus_love: "love",
    focus_work: "work",
    focus_money: "money",
    focus_health: "health and well-being",
    focus_inner: "inner life",
    focus_decision: "a decision",
    focus_general: "life in general",
  },
  vi: {
    tagline: "Tarot và tử vi, có căn cứ và trích nguồn",
    apiKey: "Khóa API",
    language: "Ngôn ngữ",
    keyHint: "Chỉ lưu trong trình duyệt này (localStorage).",
    tarot: "Tarot",
    horoscope: "Tử vi",
    question: "Câu hỏi của bạn",
    questionPlaceholder: "Tôi nên lưu ý điều gì khi bắt đầu công việc mới?",
    spread: "Trải bài",
    seed: "Hạt giống (tùy chọn)",
    seedPlaceholder: "ngẫu nhiên",
    draw: "Rút bài",
    drawing: "Đang rút…",
    reading: "Lời giải",
    sources: "Nguồn",
    sign: "Cung",
    date: "Ngày",
    read: "Xem ngày",
    readingBusy: "Đang đọc…",
    horoscopeHeading: "Trong ngày",
    sky: "Bầu trời",
    planet: "Hành tinh",
    inSign: "Cung",
    degree: "Độ",
    retrograde: "nghịch hành",
    disclaimer: "Chỉ để suy ngẫm và giải trí; không phải lời khuyên y tế, pháp lý hay tài chính.",
    upright: "Xuôi",
    reversed: "Ngược",
    model: "Mô hình",
    degraded: "Suy giảm",
    degradedYes: "có: mô hình lỗi, bộ tổng hợp trích đoạn đã trả lời",
    no: "không",
    cached: "Bộ nhớ đệm",
    yes: "có",
    seedUsed: "Hạt giống",
    seedRandom: "ngẫu nhiên",
    timings: "Thời gian",
    retrieve: "truy xuất",
    generate: "sinh",
    total: "tổng",
    notes: "Ghi chú",
    asked: "Bạn hỏi",
    field: "trường",
    noKeyTitle: "Cần có khóa API",
    noKeyDetail: "Nhập khóa API ở trên; mỗi lệnh /v1 gửi nó dạng 'Authorization: Bearer <khóa>'.",
    networkTitle: "Không kết nối được máy chủ",
    networkDetail: "Hãy kiểm tra `oraculum serve` đang chạy rồi thử lại.",
    lit: "được chiếu sáng",
    positions: "Vị trí",
    cardSource: "Ý nghĩa từ nguồn",
    synthesis: "Tổng hợp",
    comingDays: "Những ngày tới",
    wheelHeading: "Bản đồ sao",
    birthDate: "Ngày sinh",
    birthTime: "Giờ sinh",
    zone: "Múi giờ",
    latitude: "Vĩ độ",
    longitude: "Kinh độ",
    drawWheel: "Vẽ bản đồ sao",
    house: "nhà",
    focusLabel: "Đọc theo",
    positionAsks: "Vị trí này",
    focus_love: "tình cảm",
    focus_work: "công việc",
    focus_money: "tài chính",
    focus_health: "sức khỏe và tinh thần",
    focus_inner: "đời sống nội tâm",
    focus_decision: "một quyết định",
    focus_general: "cuộc sống nói chung",
  },
};

// key, English, Vietnamese, symbol (the twelve tropical signs, in order)
const SIGNS = [
  ["aries", "Aries", "Bạch Dương", "♈"],
  ["taurus", "Taurus", "Kim Ngưu", "♉"],
  ["gemini", "Gemini", "Song Tử", "♊"],
  ["cancer", "Cancer", "Cự Giải", "♋"],
  ["leo", "Leo", "Sư Tử", "♌"],
  ["virgo", "Virgo", "Xử Nữ", "♍"],
  ["libra", "Libra", "Thiên Bình", "♎"],
  ["scorpio", "Scorpio", "Bọ Cạp", "♏"],
  ["sagittarius", "Sagittarius", "Nhân Mã", "♐"],
  ["capricorn", "Capricorn", "Ma Kết", "♑"],
  ["aquarius", "Aquarius", "Bảo Bình", "♒"],
  ["pisces", "Pisces", "Song Ngư", "♓"],
];
const PLANETS = {
  sun: ["Sun", "Mặt Trời", "☉"],
  moon: ["Moon", "Mặt Trăng", "☽"],
  mercury: ["Mercury", "Sao Thủy", "☿"],
  venus: ["Venus", "Sao Kim", "♀"],
  mars: ["Mars", "Sao Hỏa", "♂"],
  jupiter: ["Jupiter", "Sao Mộc", "♃"],
  saturn: ["Saturn", "Sao Thổ", "♄"],
  uranus: ["Uranus", "Sao Thiên Vương", "♅"],
  neptune: ["Neptune", "Sao Hải Vương", "♆"],
  pluto: ["Pluto", "Sao Diêm Vương", "♇"],
};
const MOON_PHASES_VI = {
  "new-moon": "Trăng Non",
  "waxing-crescent": "Trăng Lưỡi Liềm Đầu Tháng",
  "first-quarter": "Trăng Bán Nguyệt Đầu Tháng",
  "waxing-gibbous": "Trăng Khuyết Đầu Tháng",
  "full-moon": "Trăng Tròn",
  "waning-gibbous": "Trăng Khuyết Cuối Tháng",
  "last-quarter": "Trăng Bán Nguyệt Cuối Tháng",
  "waning-crescent": "Trăng Lưỡi Liềm Cuối Tháng",
};
const POSITIONS_VI = {
  Focus: "Trọng tâm",
  Past: "Quá khứ",
  Present: "Hiện tại",
  Future: "Tương lai",
  Challenge: "Thử thách",
  Foundation: "Nền tảng",
  "Recent Past": "Quá khứ gần",
  Potential: "Tiềm năng",
  "Near Future": "Tương lai gần",
  Self: "Bản thân",
  Environment: "Môi trường",
  "Hopes and Fears": "Hy vọng và nỗi sợ",
  Outcome: "Kết quả",
  You: "Bạn",
  "The Other Person": "Người kia",
  "The Connection": "Mối liên kết",
  "The Challenge": "Thử thách",
  "Where It Is Heading": "Hướng đi",
};
const SUITS_VI = { wands: "Gậy", cups: "Cốc", swords: "Kiếm", pentacles: "Tiền" };
const MAJORS_VI = [
  "Chàng Khờ",
  "Nhà Ảo Thuật",
  "Nữ Tư Tế",
  "Hoàng Hậu",
  "Hoàng Đế",
  "Giáo Hoàng",
  "Tình Nhân",
  "Cỗ Xe",
  "Sức Mạnh",
  "Ẩn Sĩ",
  "Vòng Quay Vận Mệnh",
  "Công Lý",
  "Người Treo Ngược",
  "Cái Chết",
  "Tiết Chế",
  "Ác Quỷ",
  "Tòa Tháp",
  "Ngôi Sao",
  "Mặt Trăng",
  "Mặt Trời",
  "Phán Xét",
  "Thế Giới",
];
// Spreads with a drawn layout (CSS grid areas in style.css), by their number of positions.
const LAYOUTS = { single: 1, "three-card": 3, "celtic-cross": 10, relationship: 5 };
// The API maps a problem's `field` to these inputs, so the page can point at the culprit.
const FIELD_INPUTS = {
  question: "#question",
  spread: "#spread",
  seed: "#seed",
  lang: "#lang",
  sign: "#sign",
  date: "#date",
  day: "#date",
  "api-key": "#api-key",
};

const state = { lang: "en", lastTarot: null, lastHoroscope: null };

// ---------- small DOM helpers ----------

const $ = (selector, root = document) => root.querySelector(selector);

/** An element with attributes and children; strings become text nodes (never HTML). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return node;
}

/** An SVG element with attributes. */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

function t(key) {
  return I18N[state.lang]?.[key] ?? I18N.en[key] ?? key;
}

// ---------- API ----------

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function apiKey() {
  return $("#api-key").value.trim();
}

async function api(path, { method = "GET", body } = {}) {
  const key = apiKey();
  if (!key) {
    throw new ApiError(401, { title: t("noKeyTitle"), detail: t("noKeyDetail"), field: "api-key" });
  }
  const headers = {
    Accept: "application/json, application/problem+json",
    Authorization: `Bearer ${key}`,
  };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, { title: t("networkTitle"), detail: t("networkDetail") });
  }
  let data = null;
  if ((response.headers.get("content-type") || "").includes("json")) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const problem = data && typeof data === "object" ? data : {};
    throw new ApiError(response.status, {
      title: problem.title || `HTTP ${response.status}`,
      detail: problem.detail || response.statusText || "",
      field: problem.field,
      status: problem.status || response.status,
    });
  }
  return data ?? (await response.text()); // a wheel is SVG text, not JSON
}

// ---------- errors ----------

function clearError() {
  $("#error").hidden = true;
  for (const node of document.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
  }
}

function showError(error) {
  const problem =
    error instanceof ApiError
      ? error.problem
      : { title: "Error", detail: String(error?.message || error) };
  const status = error instanceof ApiError && error.status ? `${error.status} · ` : "";
  $("#error-title").textContent = `${status}${problem.title || "Error"}`;
  $("#error-detail").textContent = problem.detail || "";
  const field = problem.field || (error?.status === 401 ? "api-key" : null);
  $("#error-field").textContent = problem.field ? `(${t("field")}: ${problem.field})` : "";
  $("#error").hidden = false;
  const input = field && FIELD_INPUTS[field.split(".")[0]];
  if (input && $(input)) {
    $(input).setAttribute("aria-invalid", "true");
    $(input).focus({ preventScroll: true });
  }
  $("#error").scrollIntoView({ block: "nearest", behavior: "smooth" });
}

async function busy(button, label, work) {
  const text = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = label;
  try {
    clearError();
    await work();
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = text;
  }
}

// ---------- text with citations ----------

/** Appends `line` to `parent`, turning each [chunk-id] into a numbered marker. */
function appendCited(parent, line, numbers, prefix) {
  let last = 0;
  for (const match of line.matchAll(CITATION)) {
    parent.append(line.slice(last, match.index).replace(/\s+$/, ""));
    const n = numbers.get(match[1]);
    const marker = el(
      "a",
      {
        class: "cite",
        href: n ? `#${prefix}-${n}` : undefined,
        title: match[1],
        dataset: { chunk: match[1] },
      },
      n ? String(n) : "·",
    );
    parent.append(el("sup", {}, marker));
    last = match.index + match[0].length;
  }
  parent.append(line.slice(last));
}

function renderText(container, text, sources, prefix) {
  const numbers = new Map(sources.map((id, i) => [id, i + 1]));
  const blocks = String(text || "")
    .split(/\n\s*\n/)
    .filter((b) => b.trim());
  container.replaceChildren(
    ...blocks.map((block) => {
      const lines = block.split("\n");
      const para = el("p");
      lines.forEach((line, i) => {
        const heading = i === 0 && lines.length > 1 && line.length <= 100 && !line.includes("[");
        if (heading) {
          para.append(el("strong", { class: "para-head" }, line));
          return;
        }
        if (i > 0 && !(i === 1 && para.firstChild?.classList?.contains("para-head"))) {
          para.append(el("br"));
        }
        appendCited(para, line, numbers, prefix);
      });
      return para;
    }),
  );
}

/** The kind of passage a chunk id names: its first path segment (tarot, planet, article…). */
function sourceKind(id) {
  return id.split("#")[0].split("/")[0] || "source";
}

function renderSources(list, sources, prefix) {
  list.replaceChildren(
    ...sources.map((id, i) => {
      const kind = sourceKind(id);
      return el(
        "li",
        { id: `${prefix}-${i + 1}`, dataset: { chunk: id } },
        el("span", { class: `kind kind-${kind.replace(/[^a-z-]/g, "")}` }, kind),
        el("code", {}, id),
      );
    }),
  );
}

function renderMeta(dl, answer, extra = []) {
  const timing = answer.timings_ms || {};
  const ms = (v) => (typeof v === "number" ? `${v < 10 ? v.toFixed(1) : Math.round(v)} ms` : "–");
  const rows = [
    [t("model"), el("code", {}, answer.model || "–")],
    [
      t("degraded"),
      answer.degraded
        ? el("span", { class: "badge warn", id: `${dl.id}-degraded` }, t("degradedYes"))
        : el("span", { class: "badge ok" }, t("no")),
    ],
    ...extra,
    [
      t("timings"),
      `${t("retrieve")} ${ms(timing.retrieve_ms)} · ${t("generate")} ${ms(timing.generate_ms)}` +
        ` · ${t("total")} ${ms(timing.total_ms)}`,
    ],
  ];
  if (answer.cached) rows.push([t("cached"), t("yes")]);
  if (answer.notes?.length) rows.push([t("notes"), answer.notes.join(" · ")]);
  dl.replaceChildren(...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
  dl.dataset.degraded = String(Boolean(answer.degraded));
}

// ---------- cards ----------

/** A Major Arcana number in Roman numerals (the Fool is 0). */
function roman(n) {
  const table = [[10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"]];
  let out = "";
  for (const [value, numeral] of table) {
    for (; n >= value; n -= value) out += numeral;
  }
  return out || "0";
}

const RANKS = {
  en: {
    ace: "Ace",
    2: "Two",
    3: "Three",
    4: "Four",
    5: "Five",
    6: "Six",
    7: "Seven",
    8: "Eight",
    9: "Nine",
    10: "Ten",
    page: "Page",
    knight: "Knight",
    queen: "Queen",
    king: "King",
  },
  vi: {
    ace: "Át",
    2: "Hai",
    3: "Ba",
    4: "Bốn",
    5: "Năm",
    6: "Sáu",
    7: "Bảy",
    8: "Tám",
    9: "Chín",
    10: "Mười",
    page: "Tiểu Đồng",
    knight: "Hiệp Sĩ",
    queen: "Hoàng Hậu",
    king: "Vua",
  },
};

/** What a card id such as tarot/minor/cups/6/six-of-cups says about the card. */
function parseCard(cardId, name) {
  const parts = String(cardId || "").split("/");
  if (parts[1] === "minor") {
    const rank = parts[3] || "";
    const nameVi =
      RANKS.vi[rank] && SUITS_VI[parts[2]] ? `${RANKS.vi[rank]} ${SUITS_VI[parts[2]]}` : "";
    return {
      arcana: "minor",
      nameVi,
      suit: parts[2] || "",
      // words, not numerals: an upside-down IX reads as XI, a 9 as a 6
      top: (RANKS[state.lang]?.[rank] || RANKS.en[rank] || rank).toUpperCase(),
      bottom: (state.lang === "vi" ? SUITS_VI[parts[2]] : parts[2] || "").toUpperCase(),
      court: ["page", "knight", "queen", "king"].includes(rank),
    };
  }
  const number = Number(parts[2]);
  return {
    arcana: "major",
    nameVi: MAJORS_VI[number] || "",
    suit: "major",
    slug: parts[3] || "",
    top: Number.isInteger(number) && number >= 0 ? roman(number) : "",
    bottom: String((state.lang === "vi" && MAJORS_VI[number]) || name || "").toUpperCase(),
    court: false,
  };
}

function sunArt() {
  const rays = [];
  for (let i = 0; i < 12; i++) {
    const a = (i * Math.PI) / 6;
    rays.push(
      svg("line", {
        x1: 30 + Math.cos(a) * 14,
        y1: 30 + Math.sin(a) * 14,
        x2: 30 + Math.cos(a) * (i % 2 ? 21 : 25),
        y2: 30 + Math.sin(a) * (i % 2 ? 21 : 25),
      }),
    );
  }
  return [...rays, svg("circle", { cx: 30, cy: 30, r: 10, class: "fill" })];
}

function starPath(cx, cy, outer, inner, points) {
  const d = [];
  for (let i = 0; i < points * 2; i++) {
    const r = i % 2 ? inner : outer;
    const a = -Math.PI / 2 + (i * Math.PI) / points;
    d.push(
      `${i ? "L" : "M"}${(cx + Math.cos(a) * r).toFixed(2)} ${(cy + Math.sin(a) * r).toFixed(2)}`,
    );
  }
  return `${d.join(" ")} Z`;
}

function leaf(cx, cy, length, angle) {
  const transform = `rotate(${angle} ${cx} ${cy})`;
  return svg("ellipse", { class: "fill", cx, cy, rx: length, ry: length / 2, transform });
}

/** A small emblem for the card face: the suit's sign, or a star for the Major Arcana. */
function cardArt(info) {
  let shapes;
  switch (info.suit) {
    case "cups":
      shapes = [
        svg("path", { class: "fill", d: "M17 11 H43 C43 27 37 34 30 34 C23 34 17 27 17 11 Z" }),
        svg("path", { d: "M30 34 V46 M21 49 C24 46 36 46 39 49 Z" }),
      ];
      break;
    case "wands":
      shapes = [
        svg("path", { d: "M22 53 L39 8" }),
        leaf(33, 19, 5, -30),
        leaf(29, 33, 5, 20),
        leaf(38, 12, 4, 25),
      ];
      break;
    case "swords":
      shapes = [
        svg("path", { class: "fill", d: "M30 5 L34 13 L34 39 L26 39 L26 13 Z" }),
        svg("path", { d: "M18 41 H42 M30 41 V51" }),
        svg("circle", { class: "fill", cx: 30, cy: 54, r: 3 }),
      ];
      break;
    case "pentacles":
      shapes = [
        svg("circle", { cx: 30, cy: 30, r: 20 }),
        svg("path", { class: "fill", d: starPath(30, 30, 16, 6.2, 5) }),
      ];
      break;
    default:
      if (info.slug === "the-sun") shapes = sunArt();
      else if (info.slug === "the-moon") {
        shapes = [
          svg("path", { class: "fill", d: "M36 10 A20 20 0 1 0 36 50 A16 16 0 1 1 36 10 Z" }),
        ];
      } else {
        shapes = [
          svg("circle", { cx: 30, cy: 30, r: 21, class: "thin" }),
          svg("path", {
            class: "fill",
            d: starPath(30, 30, 19, 7, info.slug === "the-star" ? 8 : 4),
          }),
          svg("circle", { cx: 30, cy: 30, r: 3.5, class: "hole" }),
        ];
      }
  }
  if (info.court) {
    const crown = "M22 58 L22 52 L26 55 L30 50 L34 55 L38 52 L38 58 Z";
    shapes.push(svg("path", { class: "fill crown", d: crown }));
  }
  return svg(
    "svg",
    { class: "art", viewBox: "0 0 60 60", "aria-hidden": "true", focusable: "false" },
    ...shapes,
  );
}

function positionName(position) {
  return state.lang === "vi" ? POSITIONS_VI[position] || position : position;
}

function cardName(drawn) {
  const info = parseCard(drawn.card_id, drawn.card);
  return state.lang === "vi" && info.nameVi ? info.nameVi : drawn.card;
}

function renderCard(drawn, sources) {
  const info = parseCard(drawn.card_id, drawn.card);
  const reversed = drawn.orientation === "reversed";
  const orientation = reversed ? t("reversed") : t("upright");
  const name = cardName(drawn);
  const n = drawn.meaning_id ? sources.indexOf(drawn.meaning_id) + 1 : 0;
  const card = el(
    "div",
    {
      class: `card suit-${info.suit}${reversed ? " reversed" : ""}`,
      role: "img",
      "aria-label": `${name}, ${orientation}`,
      dataset: { position: drawn.position, orientation: drawn.orientation, cardId: drawn.card_id },
    },
    el("span", { class: "card-top" }, info.top),
    cardArt(info),
    el("span", { class: "card-bottom" }, info.bottom),
  );
  return el(
    "li",
    {
      class: `slot${reversed ? " is-reversed" : ""}`,
      title: drawn.meaning_id
        ? `${t("cardSource")} ${n > 0 ? `${n}: ` : ""}${drawn.meaning_id}`
        : undefined,
      style: `--i: ${drawn.position_index}`,
      dataset: { index: drawn.position_index, position: drawn.position },
    },
    el(
      "span",
      { class: "position" },
      el("span", { class: "position-number" }, String(drawn.position_index + 1)),
      el("span", { class: "position-name" }, positionName(drawn.position)),
    ),
    card,
    el(
      "span",
      { class: "caption" },
      el("span", { class: "card-name", title: drawn.card }, name),
      el(
        "span",
        { class: `orientation ${drawn.orientation}` },
        reversed ? "↓ " : "↑ ",
        orientation,
      ),
    ),
  );
}

function renderReading(answer) {
  const spread = answer.spread;
  const cards = [...answer.cards].sort((a, b) => a.position_index - b.position_index);
  const layout = $("#spread-layout");
  const drawn = LAYOUTS[spread] === cards.length ? spread : "row";
  layout.className = `layout layout-${drawn}`;
  layout.dataset.spread = spread;
  layout.replaceChildren(...cards.map((c) => renderCard(c, answer.sources)));

  const legend = $("#legend");
  legend.hidden = drawn !== "celtic-cross"; // only there does a card hide another
  legend.replaceChildren(
    ...cards.map((c) =>
      el(
        "li",
        { dataset: { position: c.position } },
        el("span", { class: "legend-position" }, positionName(c.position)),
        el("span", { class: "legend-card" }, cardName(c)),
        el(
          "span",
          { class: `orientation ${c.orientation}` },
          c.orientation === "reversed" ? ` ↓ ${t("reversed")}` : ` ↑ ${t("upright")}`,
        ),
      ),
    ),
  );

  const spreadOption = [...$("#spread").options].find((o) => o.value === spread);
  $("#spread-title").textContent = answer.spread_name || spreadOption?.dataset.name || spread;
  $("#reading-focus").textContent = answer.focus
    ? `${t("focusLabel")}: ${t(`focus_${answer.focus}`)}`
    : "";
  const declined = answer.scope === "off-topic" || answer.scope === "harmful";
  $("#declined").hidden = !declined;
  $("#declined").textContent = declined ? answer.text : "";
  $("#card-notes").replaceChildren(
    ...cards.map((c) =>
      el(
        "li",
        { class: "card-note", dataset: { position: c.position_id || c.position } },
        el(
          "h4",
          {},
          `${c.position_index + 1}. ${positionName(c.position)} — ${cardName(c)}, `,
          el("span", { class: `orientation ${c.orientation}` }, c.orientation_label || c.orientation),
        ),
        c.position_meaning
          ? el("p", { class: "position-meaning" }, `${t("positionAsks")}: ${c.position_meaning}`)
          : "",
        c.meaning ? el("p", { class: "card-meaning" }, c.meaning) : "",
      ),
    ),
  );
  const synthesis = answer.synthesis || [];
  $("#synthesis-panel").hidden = !synthesis.length && !answer.answer;
  $("#synthesis").replaceChildren(...synthesis.map((line) => el("li", {}, line)));
  $("#answer").textContent = answer.answer || "";
  $("#asked").replaceChildren(
    el("span", { class: "asked-label" }, `${t("asked")}: `),
    `“${answer.question}”`,
  );
  renderText($("#reading-text"), answer.text, answer.sources, "src");
  renderSources($("#sources"), answer.sources, "src");
  renderMeta($("#reading-meta"), answer, [
    [
      t("seedUsed"),
      answer.seed === null || answer.seed === undefined ? t("seedRandom") : String(answer.seed),
    ],
  ]);
  $("#tarot-result").hidden = false;
}

// ---------- Tarot ----------

function spreadHint() {
  const option = $("#spread").selectedOptions[0];
  const positions = option?.dataset.positions ? JSON.parse(option.dataset.positions) : [];
  $("#spread-positions").textContent = positions.length
    ? `${t("positions")}: ${positions.map(positionName).join(" · ")}`
    : "";
}

async function loadSpreads() {
  if (!apiKey()) return;
  try {
    const { spreads } = await api(`/v1/tarot/spreads?lang=${state.lang}`);
    const select = $("#spread");
    const current = select.value;
    select.replaceChildren(
      ...spreads.map((s) =>
        el(
          "option",
          { value: s.id, dataset: { name: s.name, positions: JSON.stringify(s.positions) } },
          s.name,
        ),
      ),
    );
    select.value = spreads.some((s) => s.id === current) ? current : (spreads[0]?.id ?? "");
    spreadHint();
  } catch (error) {
    showError(error);
  }
}

/** The request body; a seed of digits goes in verbatim, so 64-bit seeds keep every digit. */
function tarotBody() {
  const body = JSON.stringify({
    question: $("#question").value,
    spread: $("#spread").value,
    lang: state.lang,
  });
  const seed = $("#seed").value.trim();
  if (!seed) return body;
  const value = /^\d+$/.test(seed) ? seed.replace(/^0+(?=\d)/, "") : JSON.stringify(seed);
  return `${body.slice(0, -1)},"seed":${value}}`;
}

async function drawReading(event) {
  event.preventDefault();
  await busy($("#draw"), t("drawing"), async () => {
    const answer = await api("/v1/tarot/readings", { method: "POST", body: tarotBody() });
    state.lastTarot = answer;
    renderReading(answer);
    $("#tarot-result").scrollIntoView({ block: "start", behavior: "smooth" });
  });
}

// ---------- Horoscope ----------

function formatDegree(value) {
  const whole = Math.floor(value);
  const minutes = Math.round((value - whole) * 60);
  return minutes === 60 ? `${whole + 1}°00′` : `${whole}°${String(minutes).padStart(2, "0")}′`;
}

function signLabel(key) {
  const sign = SIGNS.find(([k]) => k === key);
  if (!sign) return key;
  return `${sign[3]} ${state.lang === "vi" ? sign[2] : sign[1]}`;
}

function moonIcon(elongation, illumination) {
  const r = 11;
  const c = 12;
  const e = ((elongation % 360) + 360) % 360;
  const waxing = e < 180;
  const gibbous = e > 90 && e < 270;
  const rx = Math.abs(Math.cos((e * Math.PI) / 180)) * r;
  const limb = waxing ? 1 : 0;
  const terminator = waxing === gibbous ? 1 : 0;
  // the lit limb from pole to pole, then back along the terminator (an ellipse)
  const d =
    `M${c} ${c - r} A${r} ${r} 0 0 ${limb} ${c} ${c + r}` +
    ` A${rx.toFixed(2)} ${r} 0 0 ${terminator} ${c} ${c - r} Z`;
  return svg(
    "svg",
    { class: "moon-icon", viewBox: "0 0 24 24", "aria-hidden": "true" },
    svg("circle", { cx: c, cy: c, r, class: "moon-dark" }),
    illumination > 0.005 ? svg("path", { d, class: "moon-lit" }) : svg("g"),
  );
}

function renderSky(sky) {
  const rows = sky.planets.map((p) => {
    const [en, vi, symbol] = PLANETS[p.name] || [p.name, p.name, ""];
    return el(
      "tr",
      {
        dataset: { planet: p.name, retrograde: String(p.retrograde) },
        class: p.retrograde ? "rx" : "",
      },
      el(
        "th",
        { scope: "row" },
        el("span", { class: "glyph", "aria-hidden": "true" }, symbol),
        " ",
        state.lang === "vi" ? vi : en,
      ),
      el("td", {}, signLabel(p.sign)),
      el("td", { class: "num" }, formatDegree(p.degree_in_sign)),
      el(
        "td",
        { class: "rx-col" },
        p.retrograde ? el("abbr", { title: t("retrograde") }, "℞") : "",
      ),
    );
  });
  $("#sky tbody").replaceChildren(...rows);
  const phase = sky.moon_phase;
  const name = state.lang === "vi" ? MOON_PHASES_VI[phase.key] || phase.name : phase.name;
  $("#moon-phase").replaceChildren(
    moonIcon(phase.elongation_deg, phase.illumination),
    el("span", {}, `${name} · ${Math.round(phase.illumination * 100)}% ${t("lit")}`),
  );
}

function renderHoroscope(answer) {
  const date = new Date(`${answer.date}T12:00:00`);
  const day = Number.isNaN(date.getTime())
    ? answer.date
    : date.toLocaleDateString(state.lang === "vi" ? "vi-VN" : "en-GB", {
        weekday: "long",
        day: "numeric",
        month: "long",
        year: "numeric",
      });
  $("#horoscope-title").textContent = `${signLabel(answer.sign)} — ${day}`;
  renderText($("#horoscope-text"), answer.text, answer.sources, "hsrc");
  renderSources($("#horoscope-sources"), answer.sources, "hsrc");
  renderMeta($("#horoscope-meta"), answer);
  renderSky(answer.sky);
  $("#horoscope-events").replaceChildren(
    ...(answer.events || []).map((e) =>
      el(
        "li",
        { dataset: { kind: e.kind, body: e.body } },
        el("time", { datetime: e.at_utc }, `${e.local_date} ${e.local_time}`),
        ` — ${e.text} (${t("house")} ${e.house})`,
      ),
    ),
  );
  $("#horoscope-result").hidden = false;
}

async function readHoroscope(event) {
  event.preventDefault();
  await busy($("#horoscope-go"), t("readingBusy"), async () => {
    const params = new URLSearchParams({ lang: state.lang });
    const date = $("#date").value;
    if (date) params.set("date", date);
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz) params.set("tz", tz);
    const sign = encodeURIComponent($("#sign").value);
    const answer = await api(`/v1/horoscopes/${sign}?${params}`);
    state.lastHoroscope = answer;
    renderHoroscope(answer);
  });
}

/** The wheel is SVG text; shown through an <img> from a blob, so nothing in it can run. */
async function drawWheel(event) {
  event.preventDefault();
  await busy($("#wheel-go"), t("readingBusy"), async () => {
    const params = new URLSearchParams({ date: $("#birth-date").value, tz: $("#birth-tz").value });
    for (const [name, input] of [
      ["time", "#birth-time"],
      ["latitude", "#birth-lat"],
      ["longitude", "#birth-lon"],
    ]) {
      if ($(input).value) params.set(name, $(input).value);
    }
    const svgText = await api(`/v1/charts/wheel.svg?${params}`);
    const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
    const img = $("#wheel");
    if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    img.src = url;
    $("#wheel-result").hidden = false;
  });
}

// ---------- language, tabs, settings ----------

function fillSigns() {
  const select = $("#sign");
  const current = select.value || "aries";
  select.replaceChildren(...SIGNS.map(([key]) => el("option", { value: key }, signLabel(key))));
  select.value = current;
}

function applyLanguage(lang) {
  state.lang = I18N[lang] ? lang : "en";
  document.documentElement.lang = state.lang;
  $("#lang").value = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of document.querySelectorAll("[data-i18n-title]")) {
    node.title = t(node.dataset.i18nTitle);
  }
  fillSigns();
  spreadHint();
  if (apiKey()) loadSpreads(); // the spreads' names in the new language
  if (state.lastTarot) renderReading(state.lastTarot);
  if (state.lastHoroscope) renderHoroscope(state.lastHoroscope);
}

function showView(view) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const selected = tab.dataset.view === view;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`#view-${tab.dataset.view}`).hidden = !selected;
  }
  document.body.dataset.view = view;
}

function localToday() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function init() {
  const storedKey = localStorage.getItem(STORE.key) || "";
  $("#api-key").value = storedKey;
  applyLanguage(localStorage.getItem(STORE.lang) || (navigator.language || "en").slice(0, 2));
  $("#date").value = localToday();
  showView("tarot");

  $("#settings").addEventListener("submit", (event) => event.preventDefault());
  $("#api-key").addEventListener("input", () => {
    localStorage.setItem(STORE.key, apiKey());
    $("#api-key").removeAttribute("aria-invalid");
  });
  $("#api-key").addEventListener("change", loadSpreads);
  $("#lang").addEventListener("change", () => {
    localStorage.setItem(STORE.lang, $("#lang").value);
    applyLanguage($("#lang").value);
  });
  $("#spread").addEventListener("change", spreadHint);
  $("#tarot-form").addEventListener("submit", drawReading);
  $("#horoscope-form").addEventListener("submit", readHoroscope);
  $("#wheel-form").addEventListener("submit", drawWheel);

  const tabs = [...document.querySelectorAll("[role=tab]")];
  for (const tab of tabs) {
    tab.addEventListener("click", () => showView(tab.dataset.view));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      next.focus();
      showView(next.dataset.view);
    });
  }
  $("#question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("#tarot-form").requestSubmit();
  });
  document.body.dataset.ready = "true";
  if (storedKey) loadSpreads();
}

init();
