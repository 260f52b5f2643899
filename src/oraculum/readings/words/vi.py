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
    positions={
        "Focus": "Trọng tâm", "Past": "Quá khứ", "Present": "Hiện tại", "Future": "Tương lai",
        "Challenge": "Thử thách", "Foundation": "Nền tảng", "Recent Past": "Quá khứ gần",
        "Potential": "Tiềm năng", "Near Future": "Tương lai gần", "Self": "Bản thân",
        "Environment": "Môi trường", "Hopes and Fears": "Hy vọng và nỗi sợ", "Outcome": "Kết quả",
        "You": "Bạn", "The Other Person": "Người kia", "The Connection": "Sự kết nối",
        "The Challenge": "Thử thách", "Where It Is Heading": "Hướng đi",
    },
    question_context="Bối cảnh cho câu hỏi của bạn",
    natal={
        "sun": "Mặt Trời ở {}", "moon": "Mặt Trăng ở {}", "rising": "Cung Mọc {}",
        "missing": "Chưa rõ cung Mọc: {}",
        "uncertain": "{} đổi cung trong ngày đó: không có giờ sinh thì có thể là {} hoặc cung "
        "kế tiếp.",
    },
    synthesis={
        "majors": "Ẩn Chính: {n} trong {total} lá — những chủ đề lớn của đời sống đang vận hành.",
        "no_majors": "Không có lá Ẩn Chính nào: vấn đề nằm ở những lựa chọn thường ngày.",
        "reversed": "Lá ngược: {n} trong {total} lá — một phần năng lượng đang bị chặn hoặc "
        "hướng vào trong.",
    },
    suit_leads={
        "wands": "Bộ Gậy chiếm ưu thế (lửa): động lực, hoài bão và hành động.",
        "cups": "Bộ Cốc chiếm ưu thế (nước): cảm xúc và các mối quan hệ.",
        "swords": "Bộ Kiếm chiếm ưu thế (khí): suy nghĩ, lời nói và xung đột.",
        "pentacles": "Bộ Tiền chiếm ưu thế (đất): công việc, cơ thể và tài nguyên.",
    },
)  # fmt: skip
