"""Staff acting from the phone: the week's sessions (/sesi), attendance, answering "Tidak bisa"
and reschedule requests (/jadwalulang), and scheduling an appointment (/jadwalkan)."""
