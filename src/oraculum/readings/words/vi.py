"""Tiếng Việt."""

from oraculum.readings.words import Words

WORDS = Words(
    lang="vi",
    bodies={
        "sun": "Mặt Trời", "moon": "Mặt Trăng", "mercury": "Sao Thủy", "venus": "Sao Kim",
        "mars": "Sao Hỏa", "jupiter": "Sao Mộc", "saturn": "Sao Thổ", "uranus": "Sao Thiên Vương",
        "neptune": "Sao Hải Vương", "pluto": "Sao Diêm Vương",
    },
    in_sign="ở",
    retrograde="nghịch hành",
    lit="được chiếu sáng",
    ruler_of="chủ tinh của",
    orientation={"upright": "xuôi", "reversed": "ngược"},
    natal={
        "sun": "Mặt Trời ở {}", "moon": "Mặt Trăng ở {}", "rising": "Cung Mọc {}",
        "missing": "Chưa rõ cung Mọc: {}",
        "no_time": "cung Mọc đổi khoảng hai giờ một lần nên cần có giờ sinh",
        "no_place": "cung Mọc phụ thuộc vào nơi sinh nên cần có vĩ độ và kinh độ",
        "polar": "ở vĩ độ trên 66°, hoàng đạo có thể nằm dọc theo đường chân trời nên cung Mọc "
        "không xác định rõ",
        "uncertain": "{} đổi cung trong ngày đó: không có giờ sinh thì có thể là {} hoặc cung "
        "kế tiếp.",
    },
    and_=" và ",
    card_reads="{lead}, {card} {orientation} nói về {keywords}.",
    moon_today="Mặt Trăng hôm nay",
    focus_names={
        "love": "tình cảm", "work": "công việc", "money": "tài chính",
        "health": "sức khỏe và tinh thần", "inner": "đời sống nội tâm",
        "decision": "một quyết định", "general": "cuộc sống nói chung",
    },
    synthesis={
        "element_leads": "Nguyên tố {element} chiếm ưu thế ({n} trong {total} lá: {cards}): "
        "{meaning}.",
        "element_missing": "Không có lá nào thuộc nguyên tố {element}: {meaning}.",
        "elements_balanced": "Không nguyên tố nào lấn át: các lá bài chạm đến nhiều mặt của "
        "cuộc sống cùng lúc.",
        "single_major": "Lá bài trả lời thuộc bộ Ẩn Chính: câu hỏi chạm đến một chủ đề lớn "
        "trong đời bạn, không chỉ là một lựa chọn nhất thời.",
        "single_minor": "Lá bài trả lời thuộc bộ Ẩn Phụ: vấn đề nằm trong những lựa chọn "
        "thường ngày, trong tầm tay bạn.",
        "no_majors": "Không có lá Ẩn Chính nào: vấn đề nằm trong những lựa chọn thường ngày, "
        "trong tầm tay bạn.",
        "one_majors": "1 trong {total} lá thuộc bộ Ẩn Chính ({cards}): bên cạnh chuyện thường "
        "ngày, một chủ đề lớn của cuộc đời đang vận hành.",
        "one_reversed": "1 trong {total} lá bị ngược ({cards}): ở đó năng lượng đang bị chặn lại, "
        "trì hoãn hoặc hướng vào bên trong.",
        "some_majors": "{n} trong {total} lá thuộc bộ Ẩn Chính ({cards}): bên cạnh chuyện "
        "thường ngày, những chủ đề lớn của cuộc đời đang vận hành.",
        "most_majors": "Phần lớn các lá thuộc bộ Ẩn Chính ({n} trong {total} lá: {cards}): "
        "đây là một bước ngoặt hơn là một giai đoạn thoáng qua.",
        "all_majors": "Tất cả các lá đều thuộc bộ Ẩn Chính ({cards}): đây là một bước ngoặt "
        "trong đời bạn hơn là một giai đoạn thoáng qua.",
        "all_reversed": "Tất cả các lá đều ngược ({cards}): đây là lúc cần chăm chút nội tâm "
        "trước khi hành động ra bên ngoài.",
        "none_reversed": "Tất cả các lá đều xuôi: năng lượng của trải bài đang lưu thông cởi "
        "mở.",
        "some_reversed": "{n} trong {total} lá bị ngược ({cards}): ở đó năng lượng đang bị "
        "chặn lại, trì hoãn hoặc hướng vào bên trong.",
        "most_reversed": "Phần lớn các lá bị ngược ({n} trong {total} lá: {cards}): đây là lúc "
        "cần chăm chút nội tâm trước khi hành động ra bên ngoài.",
        "court": "{card} có thể là một người trong câu chuyện ({traits}), hoặc một vai trò mà "
        "bạn đang được mời đảm nhận.",
        "repeated": "{ranks} xuất hiện nhiều lần ({cards}): {meaning}.",
        "dignity": "Thử thách là {challenge} ({e1}), kết quả là {outcome} ({e2}): {relation}.",
        "advice": "Lời khuyên của {card}: {advice} [{id}]",
        "lean": "{verdict}: {card} ở thế {orientation} tại vị trí {position}, và {n} trong "
        "{total} lá đang xuôi.",
        "yes_no": "Theo quy tắc của trải bài này (lá xuôi là «có», lá ngược là «không», lá Ẩn "
        "Chính tính gấp đôi), kết quả là {yes} phiếu «có» và {no} phiếu «không»: {verdict}.",
        "paths": "So con đường thứ nhất ({a}) với con đường thứ hai ({b}) theo cùng quy tắc: "
        "{verdict}.",
    },
    elements={"fire": "Lửa", "water": "Nước", "air": "Khí", "earth": "Đất"},
    element_leads={
        "fire": "động lực, lòng can đảm và hành động là chủ đạo",
        "water": "cảm xúc, sự gắn bó và trực giác là chủ đạo",
        "air": "suy nghĩ, lời nói và quyết định là chủ đạo",
        "earth": "chuyện thực tế, công việc, tiền bạc và cơ thể là chủ đạo",
    },
    element_missing={
        "fire": "có thể điều còn thiếu là năng lượng hay khát khao",
        "water": "cảm xúc có thể đang bị gạt sang một bên, hoặc cần được nói ra",
        "air": "có thể còn thiếu một kế hoạch rõ ràng hay một cuộc trò chuyện thẳng thắn",
        "earth": "nền tảng thực tế (thời gian, tiền bạc, sức khỏe) có thể cần được quan tâm hơn",
    },
    relations={
        "same": "cùng một nguyên tố, nên điều thử thách bạn cũng chính là điều giúp bạn vượt qua",
        "friendly": "hai nguyên tố tương hợp, nên vượt qua thử thách sẽ nuôi dưỡng kết quả",
        "opposed": "hai nguyên tố đối nghịch, nên kết quả đòi hỏi bạn đối diện với trở ngại "
        "thay vì đi vòng qua nó",
        "neutral": "hai nguyên tố trung tính, nên kết quả không chỉ phụ thuộc vào thử thách",
    },
    rank_plural={
        "ace": "Các lá Át", "2": "Các lá số Hai", "3": "Các lá số Ba", "4": "Các lá số Bốn",
        "5": "Các lá số Năm", "6": "Các lá số Sáu", "7": "Các lá số Bảy", "8": "Các lá số Tám",
        "9": "Các lá số Chín", "10": "Các lá số Mười", "page": "Các lá Tiểu Đồng",
        "knight": "Các lá Hiệp Sĩ", "queen": "Các lá Hoàng Hậu", "king": "Các lá Vua",
    },
    rank_meaning={
        "ace": "khởi đầu mới và tiềm năng còn nguyên sơ", "2": "lựa chọn, cân bằng và hợp tác",
        "3": "phát triển, cộng tác và những kết quả đầu tiên",
        "4": "ổn định, nghỉ ngơi và nền nếp", "5": "xung đột, mất mát hoặc một thay đổi cần thiết",
        "6": "hòa hợp, rộng lượng và hồi phục", "7": "cân nhắc, kiên nhẫn và thử thách ý chí",
        "8": "chuyển động, nỗ lực và sự thành thạo", "9": "mọi việc sắp chín muồi",
        "10": "một kết thúc khép lại cả chu kỳ", "page": "tin tức, học hỏi và một khởi đầu mới",
        "knight": "chuyển động và theo đuổi", "queen": "sự chăm sóc, trưởng thành và vững vàng "
        "từ bên trong", "king": "quyền hạn và trách nhiệm",
    },
    focus_answer={
        "love": "Về chuyện tình cảm:", "work": "Về công việc:", "money": "Về tài chính:",
        "health": "Về sức khỏe và tinh thần:", "inner": "Về đời sống nội tâm:",
        "decision": "Về quyết định của bạn:", "general": "Về câu hỏi của bạn:",
    },
    leans={
        "favourable": "các lá bài nghiêng về hướng thuận lợi", "mixed": "câu trả lời còn lẫn lộn",
        "cautious": "các lá bài khuyên bạn thận trọng", "yes": "nghiêng về «có»",
        "no": "nghiêng về «không»", "unclear": "chưa rõ ràng",
        "path-a": "con đường thứ nhất có vẻ suôn sẻ hơn",
        "path-b": "con đường thứ hai có vẻ suôn sẻ hơn",
        "even": "không con đường nào rõ ràng dễ đi hơn; lựa chọn là ở bạn",
    },
    scope={
        "off-topic": "Oraculum chuyên về tarot và chiêm tinh: trải bài, tử vi, bản đồ sao và "
        "những câu hỏi về chúng hay về chính cuộc sống của bạn. Câu hỏi này nằm ngoài phạm vi "
        "đó nên không có lá bài nào được rút. Bạn hãy hỏi về hoàn cảnh của mình, về một lá bài "
        "hay một cung hoàng đạo nhé.",
        "self-harm": "Có vẻ như bạn đang trải qua điều gì đó rất đau đớn. Oraculum sẽ không rút "
        "bài cho câu hỏi này. Hãy tìm đến ai đó ngay bây giờ: ở Việt Nam, gọi 115 khi khẩn cấp; "
        "ở nơi khác, gọi số khẩn cấp địa phương, hoặc tìm đường dây hỗ trợ miễn phí, bảo mật "
        "tại https://findahelpline.com. Bạn không phải một mình đối mặt với chuyện này.",
        "violence": "Oraculum không giúp làm hại bất kỳ ai và không rút bài cho câu hỏi này. "
        "Nếu có người đang gặp nguy hiểm, hãy gọi cơ quan khẩn cấp (113 gọi cảnh sát ở Việt "
        "Nam, hoặc số địa phương). Nếu cơn giận đang đè nặng, hãy trò chuyện với người bạn tin "
        "tưởng hoặc một chuyên gia tư vấn.",
        "poisoning": "Oraculum không giúp đầu độc người hay con vật nào và không rút bài cho "
        "câu hỏi này. Nếu có người hoặc con vật có thể đã bị ngộ độc, hãy gọi cấp cứu (115 ở "
        "Việt Nam) hoặc bác sĩ thú y ngay.",
        "weapons": "Oraculum không giúp chế tạo hay sử dụng vũ khí và không rút bài cho câu "
        "hỏi này. Nếu có người đang gặp nguy hiểm, hãy gọi cơ quan khẩn cấp (113 ở Việt Nam, "
        "hoặc số địa phương).",
        "medical": "Tarot và chiêm tinh không thay được bác sĩ: với mọi điều liên quan đến sức "
        "khỏe, bạn hãy gặp người có chuyên môn. Những gì dưới đây chỉ để bạn suy ngẫm.",
        "legal": "Tarot và chiêm tinh không thay được luật sư: với chuyện pháp lý, bạn hãy hỏi "
        "ý kiến người có chuyên môn. Những gì dưới đây chỉ để bạn suy ngẫm.",
        "financial": "Tarot và chiêm tinh không thay được lời khuyên tài chính: trước một "
        "quyết định về tiền bạc, bạn hãy hỏi ý kiến chuyên gia. Những gì dưới đây chỉ để bạn "
        "suy ngẫm.",
    },
    modalities={"cardinal": "tiên phong", "fixed": "kiên định", "mutable": "linh hoạt"},
    compat={
        "heading": "Độ hợp nhau giữa các cung",
        "trine": "{sign} thuộc nguyên tố {element}: các cung cùng nguyên tố là {signs} hiểu "
        "{sign} dễ dàng nhất.",
        "sextile": "{signs} bổ trợ cho {sign} từ một nguyên tố tương hợp, còn {opposite}, cung "
        "đối diện, vừa thu hút vừa phản chiếu {sign}.",
        "square": "{signs} cùng nhóm {modality} nhưng khác nguyên tố: dễ va chạm, và cùng "
        "trưởng thành nếu cả hai chịu vun đắp.",
        "best": "Theo các quy tắc này, {sign} hợp nhất với: {signs}.",
        "pair": "{a} và {b}: {relation}.",
        "same": "cùng một cung, nên dễ hiểu nhau nhưng cũng chung những điểm mù",
        "trine_pair": "cùng nguyên tố {element}, dễ hiểu nhau nhất",
        "sextile_pair": "hai nguyên tố tương hợp, bổ trợ cho nhau",
        "opposite_pair": "hai cung đối diện, thu hút và phản chiếu nhau, trưởng thành nhờ khác "
        "biệt",
        "square_pair": "cùng nhóm {modality} nhưng nguyên tố xung khắc: va chạm có thể giúp cả "
        "hai trưởng thành",
        "none_pair": "không có góc chiếu kinh điển nào giữa hai cung, nên độ hợp nhau phụ thuộc "
        "vào cả lá số hơn là cung Mặt Trời",
    },
    labels={
        "sign": "cung", "house": "nhà",
        "local": "giờ địa phương", "event": "sự kiện",
        "tarot": "tarot", "horoscope": "tử vi", "natal": "bản đồ sao", "ask": "giải đáp",
        "love": "tình cảm", "work": "công việc", "money": "tài chính", "inner": "nội tâm",
        "advice": "lời khuyên", "upright": "ý nghĩa chung", "reversed": "ý nghĩa chung",
        "position": "vị trí", "card": "lá bài", "orientation": "chiều", "reads": "đọc theo",
        "spread": "trải bài", "sources": "nguồn", "note": "lưu ý", "focus": "trọng tâm",
        "declined": "không rút lá nào", "degraded": "dự phòng", "cached": "đã lưu sẵn",
        "positions": "các vị trí", "answers": "lá trả lời câu hỏi",
        "timings": "truy xuất {r:.0f} ms · soạn {g:.0f} ms · tổng {t:.0f} ms",
    },
    events={
        "ingress": "{body} vào {sign}",
        "ingress-retrograde": "{body} nghịch hành lùi về {sign}",
        "station-retrograde": "{body} bắt đầu nghịch hành ở {sign}",
        "station-direct": "{body} thuận hành trở lại ở {sign}",
        "new-moon": "Trăng non ở {sign}",
        "first-quarter": "Trăng thượng huyền ở {sign}",
        "full-moon": "Trăng tròn ở {sign}",
        "last-quarter": "Trăng hạ huyền ở {sign}",
        "eclipse-solar": "Nhật thực ở {sign}",
        "eclipse-lunar": "Nguyệt thực ở {sign}",
        "possible": "có thể xảy ra, chưa chắc chắn: bảng lịch thiên văn không đủ để khẳng định",
        "house": "nhà {house} của bạn",
        "when": "{day} (theo giờ của bạn), {utc} giờ UTC",
        "heading": "Những ngày tới",
        "none": "Những ngày này không có hành tinh nào đổi cung, đổi chiều hay pha trăng chính.",
    },
    chart={
        "placement": "{body} ở {sign} {degree}°{retro}, nhà {house}",
        "placement_no_house": "{body} ở {sign} {degree}°{retro}",
        "retro": " (nghịch hành)",
        "aspect": "{a} {aspect} {b} (sai số {orb:.1f}°)",
        "elements": "Nguyên tố: {fire} Lửa, {earth} Đất, {air} Khí, {water} Nước; nhóm: "
        "{cardinal} tiên phong, {fixed} kiên định, {mutable} linh hoạt (mười thiên thể).",
        "strong": "Nguyên tố {element} mạnh nhất ({n} trong 10).",
        "lacking": "Không có thiên thể nào thuộc nguyên tố {element}.",
        "ruler": "Chủ tinh của lá số: {planet}, chủ tinh của cung Mọc {sign}, nằm ở {where}.",
        "near_sign": "{point} ở {degree}° {sign}: sớm hơn hoặc muộn hơn {minutes} phút ({when}) "
        "thì sẽ ở {other}. Bạn hãy kiểm tra lại giờ sinh.",
        "near_house": "{body} nằm sát ranh giới nhà: {minutes} phút {when} thì sẽ ở nhà {other}.",
        "earlier": "sớm hơn", "later": "muộn hơn",
        "no-time": "Không có giờ sinh thì không xác định được các nhà, cung Mọc và Thiên Đỉnh; "
        "các hành tinh được đặt vào giữa trưa theo giờ địa phương.",
        "no-place": "Không có nơi sinh thì không xác định được các nhà, cung Mọc và Thiên Đỉnh.",
        "polar": "Ở vĩ độ trên 66°, hệ nhà chia góc phần tư không xác định được: lá số dùng hệ "
        "nhà {system}.",
        "fallback": "{reason}",
        "houses": "Hệ nhà: {system}.",
        "ascendant_heading": "Cung Mọc ở {sign} {degree}°",
        "where": "{sign} {degree}°, nhà {house}",
        "placidus": "Placidus", "koch": "Koch", "equal": "nhà đều", "whole-sign": "nhà trọn cung",
    },
    aspects={
        "conjunction": "hợp", "sextile": "lục hợp với", "square": "vuông góc với",
        "trine": "tam hợp với", "opposition": "đối với", "semi-sextile": "bán lục hợp với",
        "semi-square": "bán vuông với", "sesquiquadrate": "nghịch vuông với",
        "quincunx": "lệch 150° với", "quintile": "ngũ phân với",
    },
    points={
        "north-node": "La Hầu (Bắc Giao)", "south-node": "Kế Đô (Nam Giao)",
        "ascendant": "Cung Mọc", "midheaven": "Thiên Đỉnh",
    },
)  # fmt: skip
